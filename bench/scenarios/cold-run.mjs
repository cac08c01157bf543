import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist, REPO } from '../lib/dist.mjs';
import { goal } from '../lib/goal.mjs';
import { node, timeProcess } from '../lib/proc.mjs';
import { writeManifests } from '../lib/project.mjs';
import { summarize } from '../lib/stats.mjs';

const { startEmulator } = await import(dist('emulator/index.js'));
const CLI = join(REPO, 'plugin/bin/retro-sprites.js');
const SPRITES = 40;
const CONCURRENCY = 4;
const LATENCY = 500;
const TOKEN = 'bench-token';
// A style the catalog prices (price.ts), on an account billed in USD: today's API.
const STYLE = 'rd_fast__low_res';

/**
 * `retro-sprites generate` from the shell, a whole process, every sprite a cache miss, against the
 * emulator (the published API contract over real HTTP) answering each request after LATENCY ms.
 * Style STYLE, emulator in the newer (USD) dialect. The ideal is what the API's pace allows: ceil(N / c) rounds of LATENCY, nothing else.
 */
export async function run({ log, quick }) {
  const runs = quick ? 2 : 5;
  const ideal = Math.ceil(SPRITES / CONCURRENCY) * LATENCY;
  const emulator = await startEmulator({ token: TOKEN, latencyMs: LATENCY, credits: 1e6, dialect: 'newer' });
  const base = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-'));
  const whole = [];
  try {
    await writeManifests(base, { sprites: SPRITES, atlases: 2, style: STYLE });
    for (let i = 0; i < runs; i++) {
      const r = await timeProcess(node, [CLI, 'generate', '--concurrency', String(CONCURRENCY), '--cache', `cache-${i}`], {
        cwd: base,
        env: { ...process.env, RD_API_KEY: TOKEN, RD_API_URL: emulator.url },
      });
      whole.push(r.ms);
      log(`cold run ${i + 1}: ${r.ms.toFixed(0)} ms, ideal ${ideal}`);
    }
  } finally {
    await emulator.close();
    await rm(base, { recursive: true, force: true });
  }
  const w = summarize(whole);
  return {
    sprites: SPRITES,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY,
    idealMs: ideal,
    wholeRunMs: w,
    goals: [goal(`cold run, ${SPRITES} sprites, c=${CONCURRENCY}, latency ${LATENCY} ms`, { measured: w.median, bound: 1.1 * ideal, unit: 'ms', text: `≤ 1.10× the ideal ${ideal} ms` })],
  };
}
