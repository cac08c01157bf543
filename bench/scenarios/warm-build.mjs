import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../lib/child.mjs';
import { REPO } from '../lib/dist.mjs';
import { PLUGIN_MAIN, STATIC_MAIN, writeGame, writeManifests } from '../lib/project.mjs';
import { summarize } from '../lib/stats.mjs';

const CLI = join(REPO, 'plugin/bin/retro-sprites.js');
const BUILD_CHILD = new URL('./build-child.mjs', import.meta.url).pathname;
const RUNS = { 1000: 3, 5000: 3 };
const ATLASES = 10;

export async function run({ log }) {
  const sizes = [];
  for (const sprites of [1000, 5000]) {
    const base = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-'));
    try {
      const game = join(base, 'game');
      const plain = join(base, 'static');
      await writeManifests(game, { sprites, atlases: ATLASES });
      await writeGame(game, PLUGIN_MAIN);
      log(`warm build: ${sprites} sprites in ${ATLASES} atlases; filling the cache (untimed)`);
      await runNode([CLI, 'generate', '--provider', 'placeholder', '--concurrency', '8'], { cwd: game });

      const out = join(base, 'out');
      const gen = [];
      for (let i = 0; i < RUNS[sprites]; i++) {
        await rm(out, { recursive: true, force: true });
        const t0 = performance.now();
        await runNode([CLI, 'generate', '--provider', 'placeholder', '--out', out], { cwd: game });
        gen.push(performance.now() - t0);
      }
      log(`  generate --out: ${summarize(gen).median.toFixed(0)} ms`);

      // The same game without the plugin: the files --out wrote, served as plain static files.
      await writeGame(plain, STATIC_MAIN);
      await cp(out, join(plain, 'public/retro-sprites'), { recursive: true });

      const withPlugin = [];
      const asStatic = [];
      for (let i = 0; i < RUNS[sprites]; i++) {
        // Alternate, so a slow spell on the shared machine hits both sides alike.
        withPlugin.push(JSON.parse(await runNode([BUILD_CHILD, game, 'plugin', join(base, 'dist-plugin')])));
        asStatic.push(JSON.parse(await runNode([BUILD_CHILD, plain, 'static', join(base, 'dist-static')])));
      }
      const p = summarize(withPlugin.map((r) => r.ms));
      const s = summarize(asStatic.map((r) => r.ms));
      const overhead = p.median - s.median;
      log(`  vite build: plugin ${p.median.toFixed(0)} ms, static ${s.median.toFixed(0)} ms, overhead ${overhead.toFixed(0)} ms`);
      sizes.push({
        sprites,
        atlases: ATLASES,
        generateOutMs: summarize(gen),
        viteBuildPluginMs: p,
        viteBuildStaticMs: s,
        overheadMs: overhead,
        overheadPer1000Ms: (overhead / sprites) * 1000,
        peakRssPluginMB: summarize(withPlugin.map((r) => r.maxRssMB)),
        peakRssStaticMB: summarize(asStatic.map((r) => r.maxRssMB)),
      });
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  }
  const [small, big] = sizes;
  return {
    sizes,
    linearity: big.overheadMs / small.overheadMs / (big.sprites / small.sprites),
    goal: { overheadPer1000AtMost1s: sizes.every((x) => x.overheadPer1000Ms <= 1000) },
  };
}
