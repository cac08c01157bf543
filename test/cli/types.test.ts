import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_MANIFEST } from '../helpers/vite.js';

const tempDir = useTempDirs();
const workspaceModules = resolve(__dirname, '../../node_modules');

/** A standard Vite + TypeScript project: code under src/, a tsconfig that includes only src. */
async function standardProject(root: string): Promise<void> {
  await writeProject(root, {
    'index.html': '<!doctype html><script type="module" src="/src/main.ts"></script>\n',
    'src/main.ts': "import { sprites } from 'virtual:retro-sprites';\nexport const hero: string | undefined = sprites.hero.frame;\n",
    'manifests/heroes.yaml': GAME_MANIFEST,
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      include: ['src'],
    }),
  });
  // Phaser as the game installs it (the declarations name its types).
  await mkdir(join(root, 'node_modules'), { recursive: true });
  await symlink(join(workspaceModules, 'phaser'), join(root, 'node_modules/phaser'), 'dir');
}

let previous: ts.Program | undefined;

/**
 * `tsc --noEmit -p tsconfig.json` through the compiler API (the reference: TypeScript itself),
 * reusing the last program's parsed files (Phaser's declarations are large) as `tsc --watch` does.
 */
function tsc(root: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, oldProgram: previous });
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('retro-sprites types', () => {
  it('writes declarations a standard project (include: ["src"]) finds, without Vite, so a sprite typo fails tsc', async () => {
    const root = await tempDir();
    await standardProject(root);
    expect(tsc(root).join('\n')).toMatch(/Cannot find module 'virtual:retro-sprites'/);

    const run = await runCli(['types'], { cwd: root });
    expect(run.code, run.err.join('\n')).toBe(0);
    expect(run.err.join('\n')).toMatch(/^wrote src\/retro-sprites\.d\.ts \(4 sprites; 4 not generated yet/);
    expect(tsc(root)).toEqual([]);
    // It read the manifests and nothing else: no cache folder, no art.
    expect(existsSync(join(root, 'manifests/.retro-cache'))).toBe(false);

    await writeFile(join(root, 'src/main.ts'), "import { sprites } from 'virtual:retro-sprites';\nexport const hero = sprites.heroo;\n");
    expect(tsc(root).join('\n')).toMatch(/Property 'heroo' does not exist/);
  });

  it('writes what vite build writes, at the same default place', async () => {
    const root = await tempDir();
    await standardProject(root);
    await buildWithPlugin(root);
    const fromVite = await readFile(join(root, 'src/retro-sprites.d.ts'), 'utf8');
    // After the build the cache holds the art: the command now types it from there.
    const run = await runCli(['types', '--out', 'types/sprites.d.ts'], { cwd: root });
    expect(run.err.join('\n')).toMatch(/^wrote types\/sprites\.d\.ts \(4 sprites\)$/);
    expect(await readFile(join(root, 'types/sprites.d.ts'), 'utf8')).toBe(fromVite);
    const again = await runCli(['types', '--out', 'types/sprites.d.ts'], { cwd: root });
    expect(again.err.join('\n')).toMatch(/^unchanged: types\/sprites\.d\.ts/);
  });
});
