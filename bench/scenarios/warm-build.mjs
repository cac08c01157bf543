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
  cpuMs: summarize(runs.map((r) => r.first.cpuMs ?? NaN)),
  warmMs: summarize(runs.map((r) => r.warm.ms)),
});

/** `vite build` from the shell, a whole process: node start, config, plugin, Vite, exit. */
const viteBuild = (root) => timeProcess(node, [VITE, 'build', '--logLevel', 'silent'], { cwd: root });

/**
 * A warm build of the game's state as it is, taken just before a first build: each first build is
 * compared with one (this machine's speed drifts by a third within minutes), and the bound is twice
 * the median of those adjacent warm builds, not of the warm pairs measured minutes later.
 */
async function warmBefore(game) {
  await viteBuild(game);
  await new Promise((r) => setTimeout(r, 100));
  await viteBuild(game);
  return viteBuild(game);
}

/**
 * The everyday art change: one sprite's prompt edited, so one sprite is generated and its atlas
 * rebuilt, with the builds before it kept. Each run edits another sprite, of atlas run % atlases.
 */
async function editBuilds(game, { sprites, atlases, runs }) {
  const perAtlas = Math.ceil(sprites / atlases);
  const edits = [];
  for (let i = 0; i < runs; i++) {
    const warm = await warmBefore(game);
    await new Promise((r) => setTimeout(r, 100));
    const file = join(game, 'manifests', `${atlasName(i % atlases)}.yaml`);
    const n = (i % atlases) * perAtlas + Math.floor(i / atlases);
    const text = await readFile(file, 'utf8');
    const edited = text.replace(`number ${n}\n`, `number ${n}, edited\n`);
    if (edited === text) throw new Error(`warm build: no sprite "number ${n}" to edit in ${file}`);
    await writeFile(file, edited);
    edits.push({ warm, first: await viteBuild(game) });
  }
  return firstBuilds(edits);
}

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
  const runs = quick ? 1 : 5;
  const sizes = [];
  for (const sprites of spriteCounts) {
    const pairs = quick ? 3 : 7;
    log(`warm build: ${sprites} sprites in ${ATLASES} atlases`);
    await withGamePair({ sprites, atlases: ATLASES, log }, async ({ game, plain }) => {

      let first;
      let oneChanged;
      if (sprites === firstBuildAt) {
        const fresh = [];
        for (let i = 0; i < runs; i++) {
          const warm = await warmBefore(game);
          for (const dir of LOCAL_STATE) await rm(join(game, 'manifests/.retro-cache', dir), { recursive: true, force: true });
          fresh.push({ warm, first: await viteBuild(game) });
        }
        first = firstBuilds(fresh);
        log(`  first build with nothing kept (a fresh clone): ${first.ms.median.toFixed(0)} ms (${first.cpuMs.median.toFixed(0)} ms of CPU), warm just before: ${first.warmMs.median.toFixed(0)} ms`);
        oneChanged = await editBuilds(game, { sprites, atlases: ATLASES, runs });
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
      if (first) {
        // No goal: the edit build of a game that is that one atlas alone (the same sprites per atlas),
        // so the part of an edit build that grows with the rest of the game is the difference.
        const perAtlas = Math.ceil(sprites / ATLASES);
        log(`  the same edit in a game of one atlas of ${perAtlas} sprites`);
        entry.oneAtlasEdit = await withGamePair({ sprites: perAtlas, atlases: 1, log }, async (one) => ({ sprites: perAtlas, ...(await editBuilds(one.game, { sprites: perAtlas, atlases: 1, runs })) }));
        log(`  first build after one sprite's art changed, one atlas: ${entry.oneAtlasEdit.ms.median.toFixed(0)} ms, warm just before: ${entry.oneAtlasEdit.warmMs.median.toFixed(0)} ms`);
      }
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
