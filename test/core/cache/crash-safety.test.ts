import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStore } from '../../../plugin/core/cache/store.js';
import { startEmulator, type Emulator } from '../../../plugin/emulator/index.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../../plugin/core/providers/retrodiffusion/index.js';
import { keyedRequests, manySprites, writeProject } from '../../helpers/project.js';
import { generateChild, seeded, type GenerateExit } from '../../helpers/generate-child.js';
import { useTempDirs } from '../../helpers/tmp.js';

const TOKEN = 'crash-test-token';
const tempDir = useTempDirs();
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ token: TOKEN, credits: 1_000_000, latencyMs: 15 });
});
afterAll(async () => {
  await emulator.close();
});

/** Generations the emulator was asked for (price checks excluded). */
function generations(): { prompt: string }[] {
  return emulator.received
    .filter((r) => r.method === 'POST' && r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean })?.check_cost)
    .map((r) => r.json as { prompt: string });
}

function generate(root: string, killAfterMs?: number): Promise<GenerateExit> {
  return generateChild(root, { RD_API_KEY: TOKEN, RD_API_URL: emulator.url }, { killAfterMs });
}

describe('a generation killed at any instant', () => {
  it('leaves only whole, verified entries, and the rerun pays only for what is missing (50 SIGKILLs)', async () => {
    const root = await tempDir();
    const store = new CacheStore(join(root, 'manifests/.retro-cache'));
    const identity = { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION };
    const random = seeded(20261125);
    let round = 0;
    let requests = [] as Awaited<ReturnType<typeof keyedRequests>>;
    const newRound = async () => {
      // Once every sprite is in, new prompts give new keys, so every kill lands on real work.
      await writeProject(root, { 'manifests/crash.yaml': manySprites(40, 'crash', ` round ${++round}`) });
      requests = await keyedRequests(root, identity);
    };
    await newRound();
    let kills = 0;
    while (kills < 50) {
      // Node needs ~100 ms to start; the kills land from start-up through planning, requests and writes.
      const result = await generate(root, 60 + Math.floor(random() * 400));
      if (result.signal === 'SIGKILL') kills++;
      for (const key of await store.keys()) {
        const found = await store.lookup(key);
        expect(found.status, `entry ${key.slice(0, 12)} after kill ${kills}`).toBe('hit');
      }
      const have = new Set(await store.keys());
      if (requests.every((r) => have.has(r.key))) await newRound();
    }

    const have = new Set(await store.keys());
    const missing = requests.filter((r) => !have.has(r.key)).map((r) => r.payload.prompt).sort();
    const before = generations().length;
    const rerun = await generate(root);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(generations().slice(before).map((g) => g.prompt).sort()).toEqual(missing);
    for (const r of requests) expect((await store.lookup(r.key)).status).toBe('hit');
  }, 300_000);

  it('two processes racing on the same 50 keys request each key exactly once', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/race.yaml': manySprites(50, 'race', ' in a race') });
    const before = generations().length;
    const [a, b] = await Promise.all([generate(root), generate(root)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const asked = generations().slice(before).map((g) => g.prompt);
    expect(asked).toHaveLength(50);
    expect(new Set(asked).size).toBe(50);
  }, 120_000);
});
