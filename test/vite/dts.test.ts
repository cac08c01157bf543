import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { declarations, writeIfChanged } from '../../plugin/vite/dts.js';
import type { VirtualKeys } from '../../plugin/vite/virtual-module.js';
import { startDev, until } from '../helpers/dev-server.js';
import { manySprites, writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { GAME_HTML } from '../helpers/vite.js';

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

describe('the declarations in the dev server', () => {
  it('are written once the art is served, and follow each edit that adds a sprite', async () => {
    const root = await tempDir();
    await writeProject(root, {
      'index.html': GAME_HTML,
      'main.ts': "import { sprites } from 'virtual:retro-sprites';\nconsole.log(sprites);\n",
      'manifests/gems.yaml': manySprites(2, 'gems'),
    });
    const path = join(root, 'src/retro-sprites.d.ts');
    const dev = await startDev(root, { provider: 'placeholder', dts: 'src/retro-sprites.d.ts' });
    try {
      const text = () => readFile(path, 'utf8').catch(() => '');
      await until('the first declarations', async () => ((await text()).includes('readonly "s1"') ? true : undefined));
      expect(await text()).not.toContain('readonly "s2"');
      // A new sprite is a new key: the page reloads, and the declarations name it.
      await writeFile(join(root, 'manifests/gems.yaml'), manySprites(3, 'gems'));
      await until('the reload for the new key', () => dev.sent.find((m) => m.type === 'full-reload'));
      await until('the declarations of the new sprite', async () => ((await text()).includes('readonly "s2"') ? true : undefined));
      await until('the log line', () => (dev.logger.lines.some((l) => l.includes('updated retro-sprites.d.ts')) ? true : undefined));
      // One more, and the server closes soon after the page is told (its close waits for the write).
      await writeFile(join(root, 'manifests/gems.yaml'), manySprites(4, 'gems'));
      await until('the second reload', () => (dev.sent.filter((m) => m.type === 'full-reload').length >= 2 ? true : undefined));
    } finally {
      await dev.server.close();
    }
    expect(await readFile(path, 'utf8')).toContain('readonly "s3"');
  });
});
