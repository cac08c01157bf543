// `npm run bench`: packing, warm builds, cold generation, dev updates, memory. Each scenario runs in
// its own node process; each figure is the median of several runs with min and max beside it.
// Flags: --only <scenario>[,<scenario>]  --full (free-tex-packer-core on the 5000-frame set too, ~10 min more)
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { runNode } from './lib/child.mjs';
import { ensureDist } from './lib/dist.mjs';
import { fmtMs } from './lib/stats.mjs';

const SCENARIOS = ['packing', 'warm-build', 'cold-generation', 'dev-update'];
const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : SCENARIOS;
const RESULTS = new URL('./results.json', import.meta.url);

const started = Date.now();
ensureDist();
const tmp = await mkdtemp(join(os.tmpdir(), 'retro-sprites-bench-results-'));
// A partial run (--only) keeps the other scenarios' last results.
let previous = {};
try {
  previous = JSON.parse(await readFile(RESULTS, 'utf8')).scenarios ?? {};
} catch {}
const scenarios = { ...previous };
try {
  for (const name of SCENARIOS.filter((s) => only.includes(s))) {
    const out = join(tmp, `${name}.json`);
    const t0 = Date.now();
    console.error(`bench: ${name}`);
    await runNode([new URL('./run-one.mjs', import.meta.url).pathname, name, out, ...(full ? ['--full'] : [])], { showProgress: true });
    scenarios[name] = JSON.parse(await readFile(out, 'utf8'));
    console.error(`bench: ${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const machine = {
  date: new Date().toISOString(),
  cores: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
};
await writeFile(RESULTS, JSON.stringify({ machine, totalSeconds: Math.round((Date.now() - started) / 1000), scenarios }, null, 2) + '\n');
console.log(report(machine, scenarios));

function report(m, s) {
  const lines = [`retro-sprites benchmarks, ${m.date.slice(0, 10)}, ${m.cores} cores (${m.cpu}), node ${m.node}`, ''];
  const pct = (x) => `${(x * 100).toFixed(2)}%`;
  const yes = (b) => (b ? 'met' : 'MISSED');
  if (s.packing) {
    lines.push('1. Packing (padding 2, pages up to 2048×2048; trimmed, deduplicated frames; time: median (min–max))');
    lines.push('| frames | packer | pages | occupancy | time |', '|---|---|---|---|---|');
    for (const set of s.packing.sets) {
      for (const p of set.packers) {
        if (p.skipped) lines.push(`| ${set.frames} | ${p.name} | – | – | ${p.skipped} |`);
        else lines.push(`| ${set.frames} | ${p.name}${p.note ? ` (${p.note})` : ''} | ${p.pages} | ${pct(p.occupancy)} | ${fmtMs(p.ms)} |`);
      }
      lines.push(`| ${set.frames} | goal vs best peer (${set.bestPeer}) | occupancy ${yes(set.goal.occupancyAtLeastBestPeer)} | time ${yes(set.goal.timeAtMostBestPeer)} | ${set.goal.timeRatio.toFixed(2)}× its time |`);
    }
    lines.push('');
  }
  if (s['warm-build']) {
    const w = s['warm-build'];
    lines.push('2. Warm build (every sprite cached, placeholder provider, 10 atlases) and 5. memory');
    lines.push('| sprites | generate --out | vite build, plugin | vite build, static files | overhead | per 1000 sprites | peak RSS, plugin build | peak RSS, static build |', '|---|---|---|---|---|---|---|---|');
    for (const x of w.sizes) {
      lines.push(`| ${x.sprites} | ${fmtMs(x.generateOutMs)} | ${fmtMs(x.viteBuildPluginMs)} | ${fmtMs(x.viteBuildStaticMs)} | ${x.overheadMs.toFixed(0)} ms | ${x.overheadPer1000Ms.toFixed(0)} ms | ${x.peakRssPluginMB.median.toFixed(0)} MB | ${x.peakRssStaticMB.median.toFixed(0)} MB |`);
    }
    lines.push(`Goal ≤ 1 s per 1000 sprites: ${yes(w.goal.overheadPer1000AtMost1s)}; linearity (overhead per sprite at 5000 / at 1000): ${w.linearity.toFixed(2)}`, '');
  }
  if (s['cold-generation']) {
    const c = s['cold-generation'];
    lines.push(`3. Cold generation: ${c.sprites} sprites, emulator latency ${c.latencyMs} ms, concurrency ${c.concurrency}; ideal ceil(N/c)·L = ${c.idealMs} ms`);
    lines.push('| phase | time | × ideal |', '|---|---|---|');
    lines.push(`| whole run | ${fmtMs(c.wholeRunMs)} | ${c.wholeOverIdeal.toFixed(2)} |`);
    lines.push(`| estimate (check_cost per sprite) | ${fmtMs(c.estimatePhaseMs)} | – |`);
    lines.push(`| generation | ${fmtMs(c.generationPhaseMs)} | ${c.generationOverIdeal.toFixed(2)} |`);
    lines.push(`Goal ≤ 1.15× ideal: whole run ${yes(c.goal.wholeAtMost115)}, generation phase ${yes(c.goal.generationAtMost115)}`, '');
  }
  if (s['dev-update']) {
    const d = s['dev-update'];
    lines.push(`4. Dev update: ${d.sprites} sprites served, one prompt changed, emulator latency ${d.latencyMs} ms`);
    lines.push('| from the write to | time |', '|---|---|');
    lines.push(`| the update with the provider's art | ${fmtMs(d.realArtUpdateMs)} |`);
    lines.push(`Goal ≤ L + 150 = ${d.goalMs} ms: ${yes(d.goal.realArtAtMostLPlus150)}`, '');
  }
  return lines.join('\n');
}
