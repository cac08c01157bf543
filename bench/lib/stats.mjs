/** Median with min and max beside it: one figure of the table. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** Runs `fn` `runs` times (after `warmup` untimed runs) and returns the wall times in ms with the last value. */
export async function timeRuns(runs, fn, { warmup = 0 } = {}) {
  let last;
  for (let i = 0; i < warmup; i++) last = await fn(i);
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn(i);
    ms.push(performance.now() - t0);
  }
  return { ms: summarize(ms), last };
}

export function fmtMs({ median, min, max }) {
  const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return `${f(median)} ms (${f(min)}–${f(max)})`;
}

export function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `pairs` rounds of `a` then `b`, so a slow spell on the shared machine hits both alike; each side's
 * results in order.
 */
export async function interleaved(pairs, a, b) {
  const first = [];
  const second = [];
  for (let i = 0; i < pairs; i++) {
    first.push(await a());
    second.push(await b());
  }
  return [first, second];
}
