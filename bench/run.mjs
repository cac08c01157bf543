// `npm run bench`: what a user waits for, each build and packer figure from whole processes, each
// scenario with its goal (issue 20) and the ratio to it. Writes bench/results.json; `npm run
// bench:readme` puts the same report into README.md.
// Flags: --quick (or BENCH_QUICK=1: fewer sizes and runs, a couple of minutes; written to
// results.quick.json, never over the full figures)  --only <scenario>[,<scenario>]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { runNode } from './lib/child.mjs';
import { ensureDist } from './lib/dist.mjs';
import { renderReport } from './lib/report.mjs';

const SCENARIOS = ['warm-build', 'packing', 'cold-run', 'dev-update', 'dev-start', 'remote-warm-build'];
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : SCENARIOS;
// A quick run never overwrites the full run's figures (the README is made from those).
const RESULTS = new URL(quick ? './results.quick.json' : './results.json', import.meta.url);
/** Bumped when a scenario's figures change shape: older results are dropped, not mixed in. */
const FORMAT = 2;

const started = Date.now();
ensureDist();
const tmp = await mkdtemp(join(os.tmpdir(), 'retro-sprites-bench-results-'));
// A partial run (--only) keeps the other scenarios' last results.
let previous = {};
try {
  const last = JSON.parse(await readFile(RESULTS, 'utf8'));
  if (last.format === FORMAT && last.quick === quick) previous = last.scenarios ?? {};
} catch {}
const scenarios = Object.fromEntries(Object.entries(previous).filter(([k]) => SCENARIOS.includes(k)));
try {
  for (const name of SCENARIOS.filter((s) => only.includes(s))) {
    const out = join(tmp, `${name}.json`);
    const t0 = Date.now();
    console.error(`bench: ${name}`);
    try {
      await runNode([new URL('./run-one.mjs', import.meta.url).pathname, name, out, ...(quick ? ['--quick'] : [])], { showProgress: true });
      scenarios[name] = JSON.parse(await readFile(out, 'utf8'));
    } catch (err) {
      // One broken scenario must not lose the others' figures; the report says it failed.
      console.error(`bench: ${name} failed: ${err.message}`);
      scenarios[name] = { error: err.message.slice(0, 500) };
      process.exitCode = 1;
    }
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
const results = { format: FORMAT, machine, quick, totalSeconds: Math.round((Date.now() - started) / 1000), scenarios };
await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');
console.log(renderReport(results));
