import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { declarations, writeIfChanged } from '../../plugin/vite/dts.js';
import type { VirtualKeys } from '../../plugin/vite/virtual-module.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const keys: VirtualKeys = {
  atlases: { heroes: 'heroes' },
  frames: { heroes: { hero: 'hero' } },
  animations: { hero_walk_down: 'hero_walk_down' },
  images: {},
  sprites: { hero: { atlas: 'heroes', frame: 'hero' } },
};

/** Type-checks `code` against the declarations with the real TypeScript compiler (the reference). */
async function typecheck(code: string): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'retro-sprites.d.ts'), declarations(keys));
  await writeFile(join(dir, 'game.ts'), code);
  await writeFile(join(dir, 'phaser.d.ts'), "declare module 'phaser' { export class Scene {} export namespace GameObjects { class Sprite {} class Image {} } export namespace Tilemaps { class Tilemap {} class Tileset {} } }\n");
  const run = promisify(execFile)(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'bundler', 'game.ts', 'retro-sprites.d.ts', 'phaser.d.ts'], { cwd: dir });
  return run.then(() => '', (err: { stdout: string }) => err.stdout);
}

describe('the declarations of virtual:retro-sprites', () => {
  it('type-check a game that names real keys, and fail on a misspelt sprite name', async () => {
    expect(await typecheck("import { sprites, animations } from 'virtual:retro-sprites';\nconst f: 'hero' = sprites.hero.frame;\nconst a: 'hero_walk_down' = animations.hero_walk_down;\nexport { f, a };\n")).toBe('');
    expect(await typecheck("import { sprites } from 'virtual:retro-sprites';\nexport const f = sprites.heroo;\n")).toMatch(/heroo/);
  }, 60_000);

  it('are rewritten only when their content changes (editors and tsc --watch are not disturbed)', async () => {
    const path = join(await tempDir(), 'src', 'retro-sprites.d.ts');
    expect(await writeIfChanged(path, declarations(keys))).toBe(true);
    const written = (await stat(path)).mtimeMs;
    expect(await writeIfChanged(path, declarations(keys))).toBe(false);
    expect((await stat(path)).mtimeMs).toBe(written);
    expect(await readFile(path, 'utf8')).toContain("declare module \"virtual:retro-sprites\"");
  });
});
