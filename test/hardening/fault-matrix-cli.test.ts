import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import type { RetroDiffusionOptions } from '../../plugin/core/providers/retrodiffusion/index.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { expectNoStack, expectWholeCache, FAULT_CASES, faultNextPaidRequest, paidPosts, PRICE, SECRET, spriteKeys, TWO_SPRITES } from './fault-harness.js';

// The CLI cannot pass retry tuning: shorten the client's waits here (see fault-harness TUNED).
vi.mock('../../plugin/core/providers/retrodiffusion/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../plugin/core/providers/retrodiffusion/index.js')>();
  return {
    ...real,
    createRetroDiffusionProvider: (o: RetroDiffusionOptions) =>
      real.createRetroDiffusionProvider({ timeoutMs: 1500, ...o, retry: { baseDelayMs: 20, maxDelayMs: 100, ...o.retry } }),
  };
});

const tempDir = useTempDirs();

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('fault matrix: `retro-sprites generate` against a failing API', () => {
  for (const c of FAULT_CASES) {
    it(`${c.label}: ${c.outcome === 'retried' ? 'retried, and the run succeeds' : 'a clear error, the other sprite kept'}`, async () => {
      const emulator = await startEmulator({ token: SECRET });
      try {
        const root = await tempDir();
        await writeProject(root, { 'manifests/items.yaml': TWO_SPRITES });
        const keys = await spriteKeys(root);
        const env = { RD_API_KEY: SECRET, RD_API_URL: emulator.url };
        faultNextPaidRequest(emulator, c.spec);
        const run = await runCli(['generate', '--out', 'out'], { cwd: root, env });
        const said = [...run.out, ...run.err].join('\n');
        expectNoStack(said);
        expect(said).not.toContain(SECRET);
        const cached = await expectWholeCache(join(root, 'manifests/.retro-cache'));

        if (c.outcome === 'retried') {
          expect(run.code, said).toBe(0);
          expect(said).toMatch(/retry 2\/5 in \d+ ms/);
          if (c.spec === '429:1') expect(said).toContain('(Retry-After 1s)');
          expect(cached.sort()).toEqual(Object.values(keys).sort());
          // Two sprites, one faulted attempt asked again; each paid for once.
          expect(paidPosts(emulator)).toBe(3);
          expect(emulator.credits).toBe(1000 - 2 * PRICE);
          for (const f of await filesUnder(join(root, 'out'))) expect(await readFile(f, 'latin1')).not.toContain(SECRET);
        } else {
          expect(run.code).toBe(1);
          const line = run.err.find((l) => c.outcome instanceof RegExp && c.outcome.test(l));
          expect(line, said).toBeDefined();
          expect(said).toMatch(/retro-sprites: 1 sprite failed \(every other result is saved in the cache/);
          expect(said).toMatch(/manifests\/items\.yaml:\d+:\d+: items\/(gem|key)/);
          // Refusals are never asked again; the sprite that was fine is cached, the other is not.
          expect(paidPosts(emulator)).toBe(2);
          expect(cached).toHaveLength(1);
          expect(Object.values(keys)).toContain(cached[0]);
          expect(emulator.credits).toBe(1000 - PRICE);
        }

        // Running again with a healthy API pays only for what is missing.
        const before = paidPosts(emulator);
        const again = await runCli(['generate'], { cwd: root, env });
        expect(again.code, again.err.join('\n')).toBe(0);
        expect(paidPosts(emulator) - before).toBe(c.outcome === 'retried' ? 0 : 1);
        expect((await expectWholeCache(join(root, 'manifests/.retro-cache'))).sort()).toEqual(Object.values(keys).sort());
      } finally {
        await emulator.close();
      }
    });
  }
});
