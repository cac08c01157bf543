import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, createBuilder, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import { retroSprites } from '../../plugin/index.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { collectingLogger, GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

const SERVER_ENTRY = "import { sprites, packUrl } from 'virtual:retro-sprites';\nexport const hero = sprites.hero.frame;\nexport { packUrl };\n";

describe("Vite 8's conventions", () => {
  it('resolveId and load carry hook filters, so Rolldown calls them only for virtual:retro-sprites', () => {
    const plugin = retroSprites() as Plugin;
    const resolveFilter = (plugin.resolveId as { filter: { id: RegExp } }).filter.id;
    const loadFilter = (plugin.load as { filter: { id: RegExp } }).filter.id;
    expect(resolveFilter.test('virtual:retro-sprites')).toBe(true);
    expect(resolveFilter.test('./main.ts')).toBe(false);
    expect(resolveFilter.test('virtual:retro-sprites-other')).toBe(false);
    expect(loadFilter.test('\0virtual:retro-sprites')).toBe(true);
    expect(loadFilter.test('/src/main.ts')).toBe(false);
  });

  it('an app with a client and an SSR environment: the art is made and emitted once, by the client build', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'server.ts': SERVER_ENTRY });
    const logger = collectingLogger();
    const builder = await createBuilder({
      root,
      configFile: false,
      customLogger: logger,
      logLevel: 'info',
      plugins: [retroSprites({ dts: false })],
      environments: {
        client: { build: { outDir: join(root, 'dist/client'), emptyOutDir: true } },
        ssr: { build: { outDir: join(root, 'dist/server'), emptyOutDir: true, ssr: join(root, 'server.ts') } },
      },
    });
    await builder.buildApp();
    const client = await files(join(root, 'dist/client'));
    const server = await files(join(root, 'dist/server'));
    expect(client.filter((f) => f.includes('retro-sprites/pack-'))).toHaveLength(1);
    // The server bundle knows the keys and the same pack URL, and holds no art of its own.
    expect(server.filter((f) => /\.(png|json)$/.test(f))).toEqual([]);
    expect(server.length, server.join(', ')).toBeGreaterThan(0);
    const serverJs = await readFile(join(root, 'dist/server', server.find((f) => /\.m?js$/.test(f))!), 'utf8');
    const pack = client.find((f) => f.includes('retro-sprites/pack-'))!;
    expect(serverJs).toContain(`/${pack}`);
    // One run, one summary line.
    expect(logger.lines.filter((l) => /^retro-sprites: \d+ sprites/.test(l))).toHaveLength(1);
  });

  it('vite build --watch rebuilds when a manifest changes', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const watcher = (await build({
      root,
      configFile: false,
      customLogger: collectingLogger(),
      logLevel: 'info',
      plugins: [retroSprites({ dts: false })],
      build: { outDir: join(root, 'dist'), emptyOutDir: true, watch: {} },
    })) as unknown as { on(e: 'event', cb: (ev: { code: string; result?: { close(): Promise<void> } }) => void): void; close(): Promise<void> };
    const builds: number[] = [];
    let resolveNext: (() => void) | undefined;
    watcher.on('event', (ev) => {
      if (ev.code === 'BUNDLE_END') void ev.result?.close();
      if (ev.code === 'END') {
        builds.push(Date.now());
        resolveNext?.();
      }
    });
    try {
      const next = () => new Promise<void>((r, reject) => {
        resolveNext = r;
        setTimeout(() => reject(new Error('no rebuild within 10 s')), 10_000);
      });
      await next();
      const packBefore = (await files(join(root, 'dist'))).find((f) => f.includes('pack-'));
      const rebuilt = next();
      await writeFile(join(root, 'manifests/heroes.yaml'), GAME_FILES['manifests/heroes.yaml'].replace('blue armor', 'red armor'));
      await rebuilt;
      const packAfter = (await files(join(root, 'dist'))).find((f) => f.includes('pack-'));
      expect(packAfter).toBeDefined();
      expect(packAfter).not.toBe(packBefore);
    } finally {
      await watcher.close();
    }
  });
});
