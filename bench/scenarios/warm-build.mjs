import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../lib/dist.mjs';
import { goal } from '../lib/goal.mjs';
import { node, timeProcess } from '../lib/proc.mjs';
import { atlasName, withGamePair } from '../lib/project.mjs';
import { interleaved, summarize } from '../lib/stats.mjs';

const VITE = join(REPO, 'node_modules/vite/bin/vite.js');
const ATLASES = 10;
/** The cache folder's local, git-ignored part (its .gitignore): a fresh clone has none of it, kept parses included. */
const LOCAL_STATE = ['.pages', '.atlases', '.builds', '.parses', '.locks', '.pending', '.corrupt'];

/** First builds and the warm build taken just before each: their times, peak RSS and the warm times. */
const firstBuilds = (runs) => ({
  ms: summarize(runs.map((r) => r.first.ms)),
  maxRssMB: summarize(runs.map((r) => r.first.maxRssMB ?? NaN)),
  warmMs: summarize(runs.map((r) => r.warm.ms)),
});

/** `vite build` from the shell, a whole process: node start, config, plugin, Vite, exit. */
const viteBuild = (root) => timeProcess(node, [VITE, 'build', '--logLevel', 'silent'], { cwd: root });

/**
 * The same game built two ways, as whole processes, in interleaved pairs so a slow spell on the
 * shared machine hits both alike: with the plugin and every sprite cached (warm), and as plain
 * static files (what `generate --out` wrote, copied to public/). Then, at one size, the first
 * build of a fresh clone (the cache holds every sprite, and none of its local part), and the first
 * build after one sprite's prompt was edited.
 */
export async function run({ log, quick }) {
  const spriteCounts = quick ? [500, 2000] : [500, 2000, 8000, 20000];
  const firstBuildAt = quick ? 2000 : 8000;
  const sizes = [];
  for (const sprites of spriteCounts) {
    const pairs = quick ? 3 : 7;
    log(`warm build: ${sprites} sprites in ${ATLASES} atlases`);
    await withGamePair({ sprites, atlases: ATLASES, log }, async ({ game, plain }) => {

      let first;
      let oneChanged;
      if (sprites === firstBuildAt) {
        // Each first build is compared with a warm build of the same state taken just before it
        // (this machine's speed drifts by a third within minutes): the bound is twice the median of
        // those adjacent warm builds, not of the warm pairs measured minutes later.
        const runs = quick ? 1 : 5;
        const warmBefore = async () => {
          await viteBuild(game);
          await new Promise((r) => setTimeout(r, 100));
          await viteBuild(game);
          return viteBuild(game);
        };
        const fresh = [];
        for (let i = 0; i < runs; i++) {
          const warm = await warmBefore();
          for (const dir of LOCAL_STATE) await rm(join(game, 'manifests/.retro-cache', dir), { recursive: true, force: true });
          fresh.push({ warm, first: await viteBuild(game) });
        }
        first = firstBuilds(fresh);
        log(`  first build with nothing kept (a fresh clone): ${first.ms.median.toFixed(0)} ms, warm just before: ${first.warmMs.median.toFixed(0)} ms`);
        // The everyday art change: one sprite's prompt edited, so one sprite is generated and its
        // atlas rebuilt, with the builds before it kept (each run edits a sprite of another atlas).
        const edits = [];
        for (let i = 0; i < runs; i++) {
          const warm = await warmBefore();
          await new Promise((r) => setTimeout(r, 100));
          const file = join(game, 'manifests', `${atlasName(i)}.yaml`);
          const text = await readFile(file, 'utf8');
          await writeFile(file, text.replace(`number ${i * Math.ceil(sprites / ATLASES)}\n`, `number ${i * Math.ceil(sprites / ATLASES)}, edited\n`));
          edits.push({ warm, first: await viteBuild(game) });
        }
        oneChanged = firstBuilds(edits);
        log(`  first build after one sprite's art changed: ${oneChanged.ms.median.toFixed(0)} ms, warm just before: ${oneChanged.warmMs.median.toFixed(0)} ms`);
      }
      // Untimed builds, so the warm figures start from the state every later build finds: the
      // first may not keep its result (the art it reads was written a moment ago), the second does.
      await viteBuild(game);
      await new Promise((r) => setTimeout(r, 100));
      await viteBuild(game);
      // The first builds above write 100 MB and more: their write-back to disk is let finish
      // before the pairs, so it slows neither side of them at random.
      await timeProcess('sync', []);
      await new Promise((r) => setTimeout(r, 1000));
      const [plugin, asStatic] = await interleaved(pairs, () => viteBuild(game), () => viteBuild(plain));
      const p = summarize(plugin.map((r) => r.ms));
      const s = summarize(asStatic.map((r) => r.ms));
      const entry = {
        sprites,
        atlases: ATLASES,
        pairs,
        pluginMs: p,
        staticMs: s,
        ratio: p.median / s.median,
        overheadPer1000Ms: ((p.median - s.median) / sprites) * 1000,
        pluginRssMB: summarize(plugin.map((r) => r.maxRssMB ?? NaN)),
        staticRssMB: summarize(asStatic.map((r) => r.maxRssMB ?? NaN)),
        ...(first ? { firstBuild: first, oneChangedBuild: oneChanged } : {}),
      };
      sizes.push(entry);
      log(`  vite build: plugin ${p.median.toFixed(0)} ms, static ${s.median.toFixed(0)} ms: ${entry.ratio.toFixed(2)}×; peak RSS ${entry.pluginRssMB.median.toFixed(0)} / ${entry.staticRssMB.median.toFixed(0)} MiB`);
    });
  }
  const goals = sizes.map((x) => goal(`warm vite build, ${x.sprites} sprites`, { measured: x.pluginMs.median, bound: 1.3 * x.staticMs.median, unit: 'ms', text: '≤ 1.3× the static build' }));
  const withFirst = sizes.find((x) => x.firstBuild);
  if (withFirst) {
    const twiceWarm = (x) => 2 * x.warmMs.median;
    goals.push(goal(`first build after one sprite's art changed, ${withFirst.sprites} sprites`, { measured: withFirst.oneChangedBuild.ms.median, bound: twiceWarm(withFirst.oneChangedBuild), unit: 'ms', text: '≤ 2× the warm build just before it' }));
    goals.push(goal(`first build with nothing kept (fresh clone, all art read and packed), ${withFirst.sprites} sprites`, { measured: withFirst.firstBuild.ms.median, bound: twiceWarm(withFirst.firstBuild), unit: 'ms', text: '≤ 2× the warm build just before it' }));
  }
  const rssAt = sizes.find((x) => x.sprites === 8000) ?? sizes[sizes.length - 1];
  if (Number.isFinite(rssAt.pluginRssMB.median)) goals.push(goal(`peak RSS, warm build of ${rssAt.sprites} sprites`, { measured: rssAt.pluginRssMB.median, bound: 200, unit: 'MiB', text: '≤ 200 MiB' + (rssAt.sprites === 8000 ? '' : ' (goal is at 8000; quick run)') }));
  return { sizes, goals };
}
