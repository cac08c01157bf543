import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../plugin/core/image/png.js';
import { startEmulator } from '../../plugin/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();

const MANIFEST = `atlas: items
sprites:
  # the gem everyone looks at
  gem:
    prompt: blue gem icon
    size: 16
    remove_bg: true
`;

/** The variant cells of a contact sheet: the sheet's layout (8 px gaps, whole-factor enlargement). */
function cells(sheet: { width: number; height: number; data: Uint8Array }, n: number, side: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = 8 + i * (side + 8);
    const rows: number[] = [];
    for (let y = 8; y < 8 + side; y++) for (let x = x0; x < x0 + side; x++) rows.push(...sheet.data.subarray((y * sheet.width + x) * 4, (y * sheet.width + x) * 4 + 4));
    out.push(Buffer.from(rows).toString('base64'));
  }
  return out;
}

describe('retro-sprites variants', () => {
  it('against the API (the emulator): estimates, prints each seed and its cost, writes a contact sheet of N distinct images; prune keeps them until --variants', async () => {
    const emulator = await startEmulator({ token: 'variants-token' });
    try {
      const root = await tempDir();
      await writeProject(root, { 'manifests/items.yaml': MANIFEST });
      const env = { RD_API_KEY: 'variants-token', RD_API_URL: emulator.url };
      const run = await runCli(['variants', 'items/gem', '--count', '3'], { cwd: root, env });
      expect(run.code, run.err.join('\n')).toBe(0);
      // The cost comes first, before anything is spent.
      expect(run.err[0]).toMatch(/^3 sprites, 0 cached, 3 to generate, estimated cost \d+ credits?$/);
      expect(run.out).toHaveLength(3);
      for (const line of run.out) expect(line).toMatch(/^seed \d+ {2}1 credits$/);
      const seeds = run.out.map((l) => Number(l.split(' ')[1]));
      expect(new Set(seeds).size).toBe(3);

      const sheet = decodePng(await readFile(join(root, 'variants-items-gem.png')));
      // 16 px sprites are shown 8x: 3 cells of 128 px with 8 px gaps.
      expect(sheet.width).toBe(8 + 3 * (128 + 8));
      expect(new Set(cells(sheet, 3, 128)).size).toBe(3);

      // Asked again: the same seeds, all cached, nothing paid.
      const before = emulator.requestCount('/v1/inferences');
      const again = await runCli(['variants', 'items/gem', '--count', '3'], { cwd: root, env });
      expect(again.out.map((l) => Number(l.split(' ')[1]))).toEqual(seeds);
      expect(again.out.every((l) => l.endsWith('cached, free'))).toBe(true);
      expect(emulator.requestCount('/v1/inferences')).toBe(before);

      // Keep the second: its seed in the manifest. Plain prune keeps every variant; --variants drops the other two.
      await writeFile(join(root, 'manifests/items.yaml'), MANIFEST.replace('    remove_bg: true\n', `    remove_bg: true\n    seed: ${seeds[1]}\n`));
      const prune = await runCli(['prune'], { cwd: root, env: {} });
      expect(prune.out).toEqual([]);
      const dropped = await runCli(['prune', '--variants'], { cwd: root, env: {} });
      expect(dropped.out).toHaveLength(2);
      expect(dropped.err.at(-1)).toMatch(/^2 unused entries removed/);
      const kept = await runCli(['generate', '--frozen'], { cwd: root, env });
      expect(kept.code, kept.err.join('\n')).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it('says how to name the sprite when it is missing or misspelt', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    const none = await runCli(['variants'], { cwd: root });
    expect(none.code).not.toBe(0);
    expect(none.err.join('\n')).toMatch(/<atlas>\/<sprite>/);
    const wrong = await runCli(['variants', 'world/gem'], { cwd: root });
    expect(wrong.err.join('\n')).toMatch(/no sprite world\/gem .*did you mean items\/gem/);
    const many = await runCli(['variants', 'items/gem', '--count', '99'], { cwd: root });
    expect(many.err.join('\n')).toMatch(/--count takes a whole number from 1 to 16/);
  });
});
