import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, collectingLogger, GAME_FILES } from '../helpers/vite.js';
import { expectNoStack, expectWholeCache, FAULT_CASES, faultNextPaidRequest, paidPosts, PRICE, SECRET, spriteKeys, TUNED, TWO_SPRITES } from './fault-harness.js';
import { withApiEnv } from '../helpers/dev-server.js';


const tempDir = useTempDirs();

const FILES = { 'index.html': GAME_FILES['index.html'], 'main.ts': GAME_FILES['main.ts'], 'manifests/items.yaml': TWO_SPRITES };

/** `vite build` with the plugin and the API key in the environment, as a user runs it. */
async function viteBuild(root: string, apiUrl: string): Promise<{ lines: string[]; error?: Error }> {
  const logger = collectingLogger();
  const restoreEnv = withApiEnv(SECRET, apiUrl);
  try {
    // Short waits between retries, through the plugin's own `api` option.
    await buildWithPlugin(root, { dts: false, api: TUNED }, logger);
    return { lines: logger.lines };
  } catch (err) {
    return { lines: logger.lines, error: err as Error };
  } finally {
    restoreEnv();
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('fault matrix: `vite build` with retroSprites() against a failing API', () => {
  for (const c of FAULT_CASES) {
    it(`${c.label}: ${c.outcome === 'retried' ? 'retried, and the build succeeds' : 'the build fails with a clear error, the other sprite kept'}`, async () => {
      const emulator = await startEmulator({ token: SECRET });
      try {
        const root = await tempDir();
        await writeProject(root, FILES);
        const keys = await spriteKeys(root);
        faultNextPaidRequest(emulator, c.spec);
        const { lines, error } = await viteBuild(root, emulator.url);
        const said = [...lines, error?.message ?? ''].join('\n');
        expect(said).not.toContain(SECRET);
        const cached = await expectWholeCache(join(root, 'manifests/.retro-cache'));

        if (c.outcome === 'retried') {
          expect(error, said).toBeUndefined();
          expect(said).toMatch(/retry 2\/5 in \d+ ms/);
          expect(cached.sort()).toEqual(Object.values(keys).sort());
          expect(paidPosts(emulator)).toBe(3);
          expect(emulator.credits).toBe(1000 - 2 * PRICE);
          const emitted = await filesUnder(join(root, 'dist'));
          expect(emitted.some((f) => /items-[\w-]{8}\.png$/.test(f))).toBe(true);
          for (const f of emitted) expect(await readFile(f, 'latin1')).not.toContain(SECRET);
        } else {
          expect(error).toBeDefined();
          expect(error!.message).toMatch(c.outcome);
          expect(error!.message).toMatch(/1 sprite failed \(every other result is saved in the cache/);
          expect(error!.message).toMatch(/manifests\/items\.yaml:\d+:\d+: items\/(gem|key)/);
          // The plugin's own error carries no stack; Rolldown wraps it in one with Rolldown's frames.
          expectNoStack(error!.message);
          expect(paidPosts(emulator)).toBe(2);
          expect(cached).toHaveLength(1);
          expect(emulator.credits).toBe(1000 - PRICE);
        }

        const before = paidPosts(emulator);
        const again = await viteBuild(root, emulator.url);
        expect(again.error?.message).toBeUndefined();
        expect(paidPosts(emulator) - before).toBe(c.outcome === 'retried' ? 0 : 1);
        expect((await expectWholeCache(join(root, 'manifests/.retro-cache'))).sort()).toEqual(Object.values(keys).sort());
      } finally {
        await emulator.close();
      }
    });
  }
});
