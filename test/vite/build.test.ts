import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { retroSprites } from '../../plugin/index.js';
import { startEmulator } from '../../plugin/emulator/index.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../helpers/vite.js';
import { withApiEnv } from '../helpers/dev-server.js';

const tempDir = useTempDirs();

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(prefix + e.name);
  }
  return out.sort();
}

describe('vite build with retroSprites()', () => {
  it('emits atlas, animations, tile image and pack with content-hashed names the pack refers to', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const logger = await buildWithPlugin(root);
    const files = await listFiles(join(root, 'dist'));
    const art = files.filter((f) => f.startsWith('assets/retro-sprites/'));
    expect(art.map((f) => f.replace(/-[\w-]{8}(\.anims)?\.(png|json)$/, '$1.$2')).sort()).toEqual([
      'assets/retro-sprites/grass.png',
      'assets/retro-sprites/heroes.anims.json',
      'assets/retro-sprites/heroes.json',
      'assets/retro-sprites/heroes.png',
      'assets/retro-sprites/pack.json',
    ]);

    const packFile = art.find((f) => /pack-/.test(f))!;
    const pack = JSON.parse(await readFile(join(root, 'dist', packFile), 'utf8'));
    const section = pack['retro-sprites'];
    expect(section.path).toBe('/');
    for (const entry of section.files) {
      for (const url of [entry.url, entry.textureURL, entry.atlasURL].filter(Boolean)) {
        expect(files, `${entry.key} → ${url}`).toContain(url);
      }
    }
    const atlasEntry = section.files.find((e: { type: string }) => e.type === 'atlas');
    const atlasText = await readFile(join(root, 'dist', atlasEntry.atlasURL), 'utf8');
    const atlas = JSON.parse(atlasText);
    expect(atlas.meta.image).toBe(atlasEntry.textureURL);
    // Minified like the rest of a build: players download and parse every byte of it.
    for (const json of [atlasText, await readFile(join(root, 'dist', packFile), 'utf8')]) expect(json).toBe(JSON.stringify(JSON.parse(json)) + '\n');

    // The game's code loads the pack from its final URL.
    const js = files.find((f) => f.endsWith('.js'))!;
    expect(await readFile(join(root, 'dist', js), 'utf8')).toContain(`/${packFile}`);
    expect(logger.lines).toContainEqual(expect.stringMatching(/^retro-sprites: 4 sprites, 0 cached, 4 generated in \d+\.\ds, cost 0 credits$/));
  });

  it('writes typed declarations of the virtual module, only when they change, so a typo fails tsc', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    await buildWithPlugin(root, { dts: 'src/retro-sprites.d.ts' });
    const dtsPath = join(root, 'src/retro-sprites.d.ts');
    const dts = await readFile(dtsPath, 'utf8');
    expect(dts).toContain("declare module 'virtual:retro-sprites'".replace(/'/g, '"'));
    expect(dts).toMatch(/readonly "hero": \{/);
    expect(dts).toMatch(/readonly "walker_down": "walker_down";/);

    const before = (await import('node:fs')).statSync(dtsPath).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await buildWithPlugin(root, { dts: 'src/retro-sprites.d.ts' });
    expect((await import('node:fs')).statSync(dtsPath).mtimeMs).toBe(before);

    const check = async (code: string) => {
      await writeFile(join(root, 'src/use.ts'), code);
      const program = ts.createProgram([dtsPath, join(root, 'src/use.ts')], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
        typeRoots: [join(__dirname, '../../node_modules')],
        baseUrl: join(__dirname, '../..'),
        paths: { phaser: [join(__dirname, '../../node_modules/phaser/types/phaser.d.ts')] },
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    expect(await check("import { sprites, animations } from 'virtual:retro-sprites';\nconst a: 'heroes' = sprites.hero.atlas;\nconst b: string = animations.walker_left;\nexport { a, b };\n")).toEqual([]);
    const errors = await check("import { sprites } from 'virtual:retro-sprites';\nexport const x = sprites.heroo;\n");
    expect(errors.join('\n')).toMatch(/Property 'heroo' does not exist/);
  });

  it('with dts: false writes no declarations, and keeps none with the build it keeps', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    await buildWithPlugin(root, { dts: false });
    const first = await listFiles(join(root, 'dist'));
    // A second build after a pause: the first one's output is kept and emitted again.
    await new Promise((r) => setTimeout(r, 1100));
    await buildWithPlugin(root, { dts: false });
    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines.join('\n')).toMatch(/unchanged since the last build/);
    expect(await listFiles(join(root, 'dist'))).toEqual(first);
    expect((await listFiles(root)).filter((f) => f.endsWith('.d.ts'))).toEqual([]);
    // Nothing the kept build holds is a declaration file.
    const kept = join(root, 'manifests/.retro-cache/.builds/files');
    for (const f of await readdir(kept)) expect(await readFile(join(kept, f), 'utf8').catch(() => '')).not.toContain('declare module "virtual:retro-sprites"');
  });

  it('ships only the key tables the game imports (rolldown drops the rest)', async () => {
    const animationList = JSON.stringify(['coin', 'walker_down', 'walker_left', 'walker_right', 'walker_up']);
    const bundle = async (main: string): Promise<string> => {
      const root = await tempDir();
      await writeProject(root, { ...GAME_FILES, 'main.ts': main });
      await buildWithPlugin(root);
      const js = (await listFiles(join(root, 'dist'))).filter((f) => f.endsWith('.js'));
      return (await Promise.all(js.map((f) => readFile(join(root, 'dist', f), 'utf8')))).join('\n');
    };
    const withoutAnimations = await bundle("import { sprites } from 'virtual:retro-sprites';\nconsole.log(sprites.hero);\n");
    expect(withoutAnimations).toContain('"hero"');
    expect(withoutAnimations).not.toContain(animationList);
    const withAnimations = await bundle("import { animations } from 'virtual:retro-sprites';\nconsole.log(animations.coin);\n");
    expect(withAnimations).toContain(animationList);
  });

  it('exports keys, the pack URL and preload from virtual:retro-sprites', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [retroSprites({ dts: false })], server: { middlewareMode: true, ws: false } });
    try {
      const mod = await server.ssrLoadModule('virtual:retro-sprites');
      expect(mod.packUrl).toBe('/__retro-sprites/files/pack.json');
      expect(mod.atlases).toEqual({ heroes: 'heroes' });
      expect(mod.images).toEqual({ grass: 'grass' });
      expect(Object.keys(mod.animations).sort()).toEqual(['coin', 'walker_down', 'walker_left', 'walker_right', 'walker_up']);
      expect(mod.sprites.hero).toEqual({ atlas: 'heroes', frame: 'hero' });
      expect(mod.sprites.coin).toMatchObject({ atlas: 'heroes', frame: 'coin_0', frames: ['coin_0', 'coin_1', 'coin_2', 'coin_3'], animations: { default: { default: 'coin' } } });
      expect(mod.sprites.walker.animations).toEqual({ walk: { down: 'walker_down', left: 'walker_left', right: 'walker_right', up: 'walker_up' } });
      expect(mod.sprites.grass).toEqual({ image: 'grass' });
      const queued: unknown[] = [];
      mod.preload({ sys: { game: {} }, load: { pack: (...args: unknown[]) => queued.push(args) } });
      expect(queued).toEqual([['retro-sprites', '/__retro-sprites/files/pack.json', 'retro-sprites']]);
    } finally {
      await server.close();
    }
  });

  it('fails the build on a manifest error with file:line:col and a code frame', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/heroes.yaml': GAME_FILES['manifests/heroes.yaml'].replace('seed: 42', 'seed: 42\n    prompt_stlye: retro') });
    type PluginError = Error & { loc?: unknown; frame?: string };
    const failure = await buildWithPlugin(root).then(() => undefined, (e: PluginError & { errors?: PluginError[] }) => e);
    expect(failure).toBeDefined();
    expect(failure!.message).toMatch(/manifests\/heroes\.yaml:10:5: unknown key "prompt_stlye" in sprite "hero" \(did you mean "prompt_style"\?\)/);
    // Rolldown gathers plugin errors; the one it holds carries the location and frame for the overlay.
    const error = failure!.errors?.[0] ?? failure!;
    expect(error.loc).toMatchObject({ line: 10, column: 5 });
    expect(error.frame).toMatch(/> 10 \| {5}prompt_stlye: retro/);
  });

  it('with the real API (the emulator here): generates, caches, and the key appears in no emitted file or log', async () => {
    const secret = 'rdpk-test-secret-9f8e7d6c5b4a';
    const emulator = await startEmulator({ token: secret });
    const restoreEnv = withApiEnv(secret, emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME_FILES);
      // frozen: false, because CI (where this suite also runs) freezes the cache for the real API.
      const logger = await buildWithPlugin(root, { dts: 'retro-sprites.d.ts', frozen: false });
      expect(emulator.requestCount('/v1/inferences')).toBeGreaterThanOrEqual(4);
      expect(logger.lines).toContainEqual(expect.stringMatching(/4 generated .* cost \d+ credits?$/));
      const everything = [...(await listFiles(join(root, 'dist'))).map((f) => join(root, 'dist', f)), join(root, 'retro-sprites.d.ts')];
      const cacheDir = join(root, 'manifests/.retro-cache');
      everything.push(...(await listFiles(cacheDir)).map((f) => join(cacheDir, f)));
      for (const f of everything) expect((await readFile(f)).includes(secret), f).toBe(false);
      expect(logger.lines.join('\n')).not.toContain(secret);

      // A second build finds everything in the cache and pays nothing.
      const before = emulator.requestCount('/v1/inferences');
      const again = await buildWithPlugin(root, { dts: false, frozen: true });
      expect(emulator.requestCount('/v1/inferences')).toBe(before);
      expect(again.lines).toContainEqual(expect.stringMatching(/4 sprites, 4 cached, 0 generated/));
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });
});
