// Renders bench/results.json as Markdown: printed by `npm run bench`, and written into README.md's
// Performance section by `npm run bench:readme`. One renderer, so the two never disagree.
import { report as remoteReport } from '../scenarios/remote-warm-build.mjs';

const ms = (v) => (v >= 10000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
const range = (s) => (s.runs > 1 ? `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})` : ms(s.median));
const mib = (s) => (Number.isFinite(s?.median) ? `${s.median.toFixed(0)} MiB` : '–');
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const fmt = (v, unit) => (unit === 'ms' ? ms(v) : `${v.toFixed(0)} ${unit}`);

/** How noisy the run was: the widest max/min over the figures with several runs. */
function spread(results) {
  const figures = [];
  const walk = (v) => {
    if (v && typeof v === 'object') {
      if (typeof v.median === 'number' && typeof v.min === 'number' && v.runs > 1 && v.min > 0) figures.push(v.max / v.min);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  walk(results.scenarios);
  figures.sort((a, b) => a - b);
  return figures.length ? { median: figures[Math.floor(figures.length / 2)], max: figures[figures.length - 1], count: figures.length } : undefined;
}

export function allGoals(scenarios) {
  const out = [];
  for (const s of Object.values(scenarios)) {
    out.push(...(s.goals ?? []));
    for (const set of s.sets ?? []) out.push(...(set.goals ?? []));
  }
  return out;
}

export function renderReport(results) {
  const { machine: m, scenarios: s } = results;
  const L = [];
  L.push(`Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cores} cores (${m.cpu}), ${m.memoryGB} GiB, node ${m.node}, ${results.quick ? '**quick run** (`--quick`: fewer sizes and runs)' : 'full run'}, ${Math.round(results.totalSeconds / 60)} min in all; load average ${m.loadAverage.join(' / ')} at the end (the machine was shared with other work).`);
  const sp = spread(results);
  if (sp) L.push(`Noise: each figure is the median with (min–max); across the ${sp.count} figures with several runs, max/min is ${sp.median.toFixed(2)}× typically and ${sp.max.toFixed(2)}× at worst.`);
  L.push('');
  const goals = allGoals(s);
  L.push('| goal | measured | bound | ratio | |', '|---|---|---|---|---|');
  for (const g of goals) L.push(`| ${g.name}: ${g.text} | ${fmt(g.measured, g.unit)} | ${fmt(g.bound, g.unit)} | ${g.ratio.toFixed(2)} | ${g.met ? 'met' : '**missed**'} |`);
  L.push('', `${goals.filter((g) => g.met).length} of ${goals.length} goals met.`, '');

  for (const [name, x] of Object.entries(s)) if (x.error) L.push(`**${name} did not run to the end**: ${x.error.split('\n')[0]}`, '');
  if (s['warm-build']?.sizes) {
    L.push('**Warm `vite build`** (whole processes from the shell, interleaved pairs; 10 atlases, every sprite cached, placeholder provider; "static" is the same game built from the files `generate --out` wrote, copied to `public/`; peak RSS from GNU time):', '');
    L.push('| sprites | with the plugin | static files | ratio | overhead per 1000 sprites | peak RSS, plugin | peak RSS, static | first build after one sprite changed | first build, nothing kept (fresh clone) |', '|---|---|---|---|---|---|---|---|---|');
    for (const x of s['warm-build'].sizes) {
      L.push(`| ${x.sprites} | ${range(x.pluginMs)} | ${range(x.staticMs)} | ${x.ratio.toFixed(2)}× | ${ms(Math.max(0, x.overheadPer1000Ms))} | ${mib(x.pluginRssMB)} | ${mib(x.staticRssMB)} | ${x.oneChangedBuild ? range(x.oneChangedBuild.ms) : '–'} | ${x.firstBuild ? range(x.firstBuild.ms) : '–'} |`);
    }
    L.push('');
    const cpu = (b) => (Number.isFinite(b?.cpuMs?.median) ? `, ${ms(b.cpuMs.median)} of CPU` : '');
    for (const x of s['warm-build'].sizes.filter((y) => y.firstBuild)) {
      const edit = x.oneChangedBuild;
      const warmRatio = (b) => `${(b.ms.median / b.warmMs.median).toFixed(2)}× the warm build just before it (${ms(b.warmMs.median)})`;
      L.push(`First builds at ${x.sprites} sprites (${x.firstBuild.ms.runs > 1 ? `medians of ${x.firstBuild.ms.runs}` : "one run each"}; CPU is user and system time of all the process's threads, from GNU time): the fresh clone ${ms(x.firstBuild.ms.median)}${cpu(x.firstBuild)}, ${warmRatio(x.firstBuild)}; after one sprite's edit ${ms(edit.ms.median)}${cpu(edit)}, ${warmRatio(edit)}.`);
      const one = x.oneAtlasEdit;
      if (one) {
        L.push(`The same edit in a game that is one atlas of ${one.sprites} sprites alone (no goal; the atlas's own work, with nothing else in the game): ${range(one.ms)}${cpu(one)}, ${warmRatio(one)}. The rest of the ${x.sprites - one.sprites} sprites adds ${ms(Math.max(0, edit.ms.median - one.ms.median))} to the edit build.`);
      }
      L.push('');
    }
  }
  if (s.packing?.sets) {
    const p = s.packing;
    L.push(`**Packing** (each packer in fresh node processes; "first" is the first call in a process, "repeat" the median of the calls after it; padding 2, pages up to 2048×2048, trimmed and deduplicated pixel-art frames 8–128 px; a peer still running after ${p.capMs / 1000} s is stopped):`, '');
    L.push('| frames (rects) | packer | pages | occupancy | first call | repeat |', '|---|---|---|---|---|---|');
    for (const set of p.sets) {
      for (const x of set.packers) {
        if (x.timedOut) L.push(`| ${set.frames} (${set.rects}) | ${x.name} | – | – | > ${p.capMs / 1000} s | – (${x.note}) |`);
        else L.push(`| ${set.frames} (${set.rects}) | ${x.name} | ${x.pages} | ${pct(x.occupancy)} | ${range(x.firstMs)} | ${x.repeatMs ? range(x.repeatMs) : '–'} |`);
      }
    }
    const worse = p.sets.filter((x) => !x.layoutAtLeastPeers).map((x) => x.frames);
    const compared = p.sets.filter((x) => x.packers.some((q, i) => i > 0 && !q.timedOut)).map((x) => x.frames);
    L.push('', worse.length
      ? `Layout: ours has fewer pages or a higher occupancy than every peer that finished, except at ${worse.join(', ')} frames.`
      : `Layout: wherever a peer finished (${compared.join(', ')} frames), ours has as few pages as the best of them and a higher occupancy.`, '');
  }
  if (s['cold-run']?.wholeRunMs) {
    const c = s['cold-run'];
    L.push(`**Cold run**: \`retro-sprites generate\` as a whole process, ${c.sprites} sprites, all cache misses, concurrency ${c.concurrency}, against the emulator answering after ${c.latencyMs} ms; ideal ceil(${c.sprites}/${c.concurrency}) × ${c.latencyMs} ms = ${ms(c.idealMs)}: ${range(c.wholeRunMs)}, ${(c.wholeRunMs.median / c.idealMs).toFixed(2)}× the ideal.`, '');
  }
  if (s['dev-update']?.updateMs) {
    const d = s['dev-update'];
    L.push(`**Dev update**: ${d.sprites} sprites served by the dev server, one prompt edited on disk (${d.edits} edits), emulator latency ${d.latencyMs} ms: the \`retro-sprites:update\` with the new art after ${range(d.updateMs)}, ${range(d.minusLatencyMs)} of it ours.`, '');
  }
  if (s['dev-start']?.sizes) {
    L.push('**Dev server start** (no goal in issue 20; `vite` from the shell, a whole process, until it answers the virtual module with the art, beside the same game from static files until it answers its main module; interleaved pairs, every sprite cached, started once before):', '');
    L.push('| sprites | with the plugin | static files | ratio |', '|---|---|---|---|');
    for (const x of s['dev-start'].sizes) L.push(`| ${x.sprites} | ${range(x.pluginMs)} | ${range(x.staticMs)} | ${x.ratio.toFixed(2)}× |`);
    L.push('');
  }
  if (s['remote-warm-build']?.remotes) L.push(remoteReport(s['remote-warm-build']).replace(/^Remote cache: (.*)$/m, '**Remote cache**: $1:\n'), '');
  return L.join('\n');
}
