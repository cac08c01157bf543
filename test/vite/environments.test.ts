import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

interface WatchEvent { code: string; error?: Error; result?: { close(): Promise<void> } }

/**
 * `vite build --watch` on a project, counting its builds. Each build's plugins close after its
 * BUNDLE_END (as Vite's own watch loop does, without waiting), and one write to a file can reach the
 * watcher as two changes: a build counts as done once the watcher has been idle a moment after it,
 * with every close finished.
 */
async function watchBuild(root: string) {
  const watcher = (await build({
    root,
    configFile: false,
    customLogger: collectingLogger(),
    logLevel: 'info',
    plugins: [retroSprites({ dts: false })],
    build: { outDir: join(root, 'dist'), emptyOutDir: true, watch: {} },
  })) as unknown as { on(e: 'event', cb: (ev: WatchEvent) => void): void; close(): Promise<void> };
  const closing: Promise<void>[] = [];
  const state = {
    started: 0,
    ended: 0,
    errors: [] as string[],
    async idleAfter(builds: number): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (state.ended >= builds && state.ended === state.started) {
          await Promise.all(closing);
          await sleep(300);
          if (state.ended === state.started) return;
        }
        await sleep(20);
      }
      throw new Error(`no rebuild within 20 s (${state.started} started, ${state.ended} ended)`);
    },
    async close(): Promise<void> {
      await watcher.close();
      await Promise.allSettled(closing);
    },
  };
  watcher.on('event', (ev) => {
    if (ev.code === 'START') state.started++;
    if (ev.code === 'BUNDLE_END' && ev.result) closing.push(ev.result.close());
    if (ev.code === 'ERROR') state.errors.push(ev.error?.message ?? 'error');
    if (ev.code === 'END') state.ended++;
  });
  return state;
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
    const watch = await watchBuild(root);
    try {
      await watch.idleAfter(1);
      const packBefore = (await files(join(root, 'dist'))).find((f) => f.includes('pack-'));
      const before = watch.ended;
      await writeFile(join(root, 'manifests/heroes.yaml'), GAME_FILES['manifests/heroes.yaml'].replace('blue armor', 'red armor'));
      await watch.idleAfter(before + 1);
      expect(watch.errors).toEqual([]);
      const packAfter = (await files(join(root, 'dist'))).find((f) => f.includes('pack-'));
      expect(packAfter).toBeDefined();
      expect(packAfter).not.toBe(packBefore);
    } finally {
      await watch.close();
    }
  });

  it('vite build --watch: a manifest saved again while it rebuilds gets one more rebuild, and every rebuild succeeds', async () => {
    // The next rebuild starts as soon as one ends, while the plugin still keeps what the last one
    // made: nothing of that may reach the next build (Rolldown once lost its emitted files to it).
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const watch = await watchBuild(root);
    const manifest = join(root, 'manifests/heroes.yaml');
    try {
      await watch.idleAfter(1);
      for (const colour of ['red', 'green', 'black', 'white', 'gold', 'grey']) {
        const before = watch.started;
        await writeFile(manifest, GAME_FILES['manifests/heroes.yaml'].replace('blue armor', `${colour} armor`));
        while (watch.started === before) await sleep(5);
        await writeFile(manifest, GAME_FILES['manifests/heroes.yaml'].replace('blue armor', `${colour} armor, again`));
        await watch.idleAfter(watch.started + 1);
        expect(watch.errors, `after the ${colour} saves`).toEqual([]);
        // The game's code names the pack that is in dist.
        const out = await files(join(root, 'dist'));
        const pack = out.find((f) => f.includes('pack-'));
        const js = await readFile(join(root, 'dist', out.find((f) => f.endsWith('.js'))!), 'utf8');
        expect(pack, `after the ${colour} saves`).toBeDefined();
        expect(js).toContain(pack!.split('/').pop());
      }
      expect(watch.ended).toBeGreaterThanOrEqual(13);
    } finally {
      await watch.close();
    }
  });

});
