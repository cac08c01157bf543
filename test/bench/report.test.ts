import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// Issue 20: the README's Performance figures are generated from bench/results.json by
// `npm run bench:readme`, never edited by hand, and each goal is met only within its bound.

interface Goal { name: string; text: string; measured: number; bound: number; unit: string; ratio: number; met: boolean }
const { renderReport } = (await import('../../bench/lib/report.mjs' as string)) as { renderReport(results: unknown): string };
const { goal } = (await import('../../bench/lib/goal.mjs' as string)) as { goal(name: string, g: { measured: number; bound: number; unit: string; text: string }): Goal };
const { summarize, interleaved } = (await import('../../bench/lib/stats.mjs' as string)) as {
  summarize(values: number[]): { median: number; min: number; max: number; runs: number };
  interleaved<A, B>(pairs: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A[], B[]]>;
};
const { withReport } = (await import('../../bench/lib/readme-block.mjs' as string)) as { withReport(readme: string, report: string): string };

function machine(): Record<string, unknown> {
  return { date: '2026-12-04T04:00:00.000Z', cores: 2, cpu: 'test cpu', memoryGB: 24, node: 'v20.20.2', platform: 'linux', loadAverage: [0.5, 0.5, 0.5] };
}

describe('the README says what the bench measured', () => {
  it("its Performance block is exactly what `npm run bench:readme` renders from bench/results.json", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const results: unknown = JSON.parse(await readFile(new URL('../../bench/results.json', import.meta.url), 'utf8'));
    // What `npm run bench:readme` would write is what is there.
    expect(withReport(readme, renderReport(results))).toBe(readme);
  });
});

describe('a goal is met only within its bound', () => {
  it('measured over the bound is missed, at or under it met, and the count says so', () => {
    const goals = [
      goal('warm build', { measured: 131, bound: 130, unit: 'ms', text: '≤ 1.3× static' }),
      goal('edit build', { measured: 200, bound: 200, unit: 'ms', text: '≤ 2× warm' }),
      goal('peak RSS', { measured: 150, bound: 200, unit: 'MiB', text: '≤ 200 MiB' }),
    ];
    expect(goals.map((g) => g.met)).toEqual([false, true, true]);
    const text = renderReport({ format: 2, machine: machine(), quick: false, totalSeconds: 60, scenarios: { 'warm-build': { goals } } });
    expect(text).toContain('| warm build: ≤ 1.3× static | 131 ms | 130 ms | 1.01 | **missed** |');
    expect(text).toContain('| edit build: ≤ 2× warm | 200 ms | 200 ms | 1.00 | met |');
    expect(text).toContain('2 of 3 goals met.');
  });

  it('a scenario that failed is said to have failed, not left out', () => {
    const text = renderReport({ format: 2, machine: machine(), quick: true, totalSeconds: 60, scenarios: { 'cold-run': { error: 'emulator did not start\nstack' } } });
    expect(text).toContain('**cold-run did not run to the end**: emulator did not start');
    expect(text).toContain('**quick run**');
  });

  it('the dev server start is shown beside its static twin, a figure without a goal', () => {
    const size = { sprites: 500, atlases: 10, pairs: 3, pluginMs: summarize([1300, 1250, 1400]), staticMs: summarize([500, 520, 480]), ratio: 2.6 };
    const text = renderReport({ format: 2, machine: machine(), quick: false, totalSeconds: 60, scenarios: { 'dev-start': { sizes: [size], goals: [] } } });
    expect(text).toContain('| 500 | 1.30 s (1.25 s–1.40 s) | 500 ms (480 ms–520 ms) | 2.60× |');
    expect(text).toContain('0 of 0 goals met.');
  });

  it("the first builds say their CPU time, and the edit build is set beside the same edit in a game of its atlas alone", () => {
    const first = (ms: number[], cpu: number[], warm: number[]) => ({ ms: summarize(ms), cpuMs: summarize(cpu), maxRssMB: summarize([150]), warmMs: summarize(warm) });
    const size = {
      sprites: 8000, atlases: 10, pairs: 7, pluginMs: summarize([340]), staticMs: summarize([300]), ratio: 1.13, overheadPer1000Ms: 5, pluginRssMB: summarize([140]), staticRssMB: summarize([110]),
      firstBuild: first([3300, 3200, 3400], [4100, 4000, 4200], [330, 320, 340]),
      oneChangedBuild: first([1200, 1250, 1150], [1500, 1500, 1500], [340, 350, 330]),
      oneAtlasEdit: { sprites: 800, ...first([750, 700, 800], [900, 900, 900], [300, 310, 290]) },
    };
    const text = renderReport({ format: 2, machine: machine(), quick: false, totalSeconds: 60, scenarios: { 'warm-build': { sizes: [size], goals: [] } } });
    expect(text).toContain('the fresh clone 3.30 s, 4.10 s of CPU, 10.00× the warm build just before it (330 ms)');
    expect(text).toContain("after one sprite's edit 1.20 s, 1.50 s of CPU, 3.53× the warm build just before it (340 ms)");
    expect(text).toContain('one atlas of 800 sprites alone (no goal; the atlas\'s own work, with nothing else in the game): 750 ms (700 ms–800 ms), 900 ms of CPU, 2.50× the warm build just before it (300 ms). The rest of the 7200 sprites adds 450 ms to the edit build.');
  });

  it('the two sides of a comparison take turns, so a slow spell hits both alike', async () => {
    const order: string[] = [];
    const [a, b] = await interleaved(3, async () => (order.push('a'), order.length), async () => (order.push('b'), order.length));
    expect(order.join('')).toBe('ababab');
    expect([a, b]).toEqual([[1, 3, 5], [2, 4, 6]]);
  });

  it('a figure is the median of its runs, with the least and the most beside it', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });
});
