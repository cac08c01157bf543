import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist } from '../lib/dist.mjs';
import { writeManifests } from '../lib/project.mjs';
import { summarize } from '../lib/stats.mjs';

const { startEmulator } = await import(dist('emulator/index.js'));
const { openProject, loadProjectPlan } = await import(dist('core/project.js'));
const { runGeneration } = await import(dist('core/generate/run.js'));

const SPRITES = 200;
const CONCURRENCY = 8;
const LATENCY = 200;
const RUNS = 3;
const TOKEN = 'bench-token';

export async function run({ log }) {
  const ideal = Math.ceil(SPRITES / CONCURRENCY) * LATENCY;
  const emulator = await startEmulator({ token: TOKEN, latencyMs: LATENCY, credits: 1e9 });
  const base = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-'));
  const whole = [];
  const estimate = [];
  const generation = [];
  try {
    await writeManifests(base, { sprites: SPRITES, atlases: 2 });
    for (let i = 0; i < RUNS; i++) {
      // A fresh cache each run: every sprite is a miss, as on a first build.
      const project = openProject({
        root: base,
        cacheDir: `cache-${i}`,
        provider: 'retrodiffusion',
        concurrency: CONCURRENCY,
        env: { RD_API_KEY: TOKEN, RD_API_URL: emulator.url },
      });
      const { requests } = await loadProjectPlan(project);
      let planned = 0;
      const t0 = performance.now();
      const result = await runGeneration(requests, {
        store: project.store,
        provider: project.provider,
        root: base,
        concurrency: CONCURRENCY,
        reporter: { plan: () => (planned = performance.now()) },
      });
      const t1 = performance.now();
      await project.provider.close?.();
      if (result.failures.length || result.summary.generated !== SPRITES) throw new Error(`cold generation: ${result.failures.length} failures, ${result.summary.generated} generated`);
      whole.push(t1 - t0);
      estimate.push(planned - t0);
      generation.push(t1 - planned);
      log(`cold generation run ${i + 1}: ${(t1 - t0).toFixed(0)} ms (estimate ${(planned - t0).toFixed(0)}, generate ${(t1 - planned).toFixed(0)}), ideal ${ideal}`);
    }
  } finally {
    await emulator.close();
    await rm(base, { recursive: true, force: true });
  }
  const w = summarize(whole);
  const g = summarize(generation);
  return {
    sprites: SPRITES,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY,
    idealMs: ideal,
    wholeRunMs: w,
    estimatePhaseMs: summarize(estimate),
    generationPhaseMs: g,
    wholeOverIdeal: w.median / ideal,
    generationOverIdeal: g.median / ideal,
    goal: { wholeAtMost115: w.median / ideal <= 1.15, generationAtMost115: g.median / ideal <= 1.15 },
  };
}
