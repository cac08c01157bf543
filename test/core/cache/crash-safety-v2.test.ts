import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../../plugin/core/cache/store.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../../plugin/core/providers/retrodiffusion/index.js';
import { startEmulator, type Emulator, type EmulatorOptions, type LedgerCharge } from '../../../plugin/emulator/index.js';
import { keyedRequests, manySprites, writeProject } from '../../helpers/project.js';
import { generateChild, seeded, type GenerateExit } from '../../helpers/generate-child.js';
import { useTempDirs } from '../../helpers/tmp.js';

/**
 * "Never pay twice", measured on the bill: `retro-sprites generate` in child processes, killed with
 * SIGKILL at seeded random instants and right after the emulator accepted (and charged) a paid
 * request, then resumed. The emulator's ledger is the bill. v2 (tasks under a derived
 * Idempotency-Key, the pending-task journal) must charge each sprite exactly once; v1, which has no
 * way to ask "did you already take my money?", is run through the same kills and its figure printed.
 */
const TOKEN = 'crash-v2-token';
const tempDir = useTempDirs();
const emulators: Emulator[] = [];
afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
});

type Api = 'v1' | 'v2';

async function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ token: TOKEN, credits: 1_000_000, latencyMs: 10, taskMs: 150, ...opts });
  emulators.push(emu);
  return emu;
}

function generate(root: string, emu: Emulator, api: Api, onSpawn?: (c: ChildProcess) => void, killAfterMs?: number): Promise<GenerateExit> {
  return generateChild(root, { RD_API_KEY: TOKEN, RD_API_URL: emu.url, RD_API_VERSION: api }, { onSpawn, killAfterMs });
}

/** Paid, not refunded, charges per prompt. */
function chargesByPrompt(ledger: LedgerCharge[], tag: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of ledger) if (!c.refunded && c.prompt.includes(tag)) out.set(c.prompt, (out.get(c.prompt) ?? 0) + 1);
  return out;
}

async function expectWholeEntries(store: CacheStore, when: string): Promise<void> {
  for (const key of await store.keys()) expect((await store.lookup(key)).status, `entry ${key.slice(0, 12)} ${when}`).toBe('hit');
}

/** 30 kills (every third one the instant a paid request is accepted), then a resume; returns the bill. */
async function killAndResume(api: Api): Promise<{ sprites: number; charges: Map<string, number>; afterAccept: number }> {
  let current: ChildProcess | undefined;
  let killOnCharge = false;
  let afterAccept = 0;
  const tag = `[${api}]`;
  const emu = await emulator({
    onCharge: (c) => {
      if (killOnCharge && current && c.prompt.includes(tag)) {
        killOnCharge = false;
        afterAccept++;
        current.kill('SIGKILL'); // before the answer is written: the child never hears it was accepted
      }
    },
  });
  const root = await tempDir();
  const store = new CacheStore(join(root, 'manifests/.retro-cache'));
  const identity = { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION };
  const random = seeded(20261202); // the same instants for v1 and v2
  const prompts = new Set<string>();
  let round = 0;
  let requests = [] as Awaited<ReturnType<typeof keyedRequests>>;
  const newRound = async () => {
    await writeProject(root, { 'manifests/crash.yaml': manySprites(8, 'crash', ` ${tag} round ${++round}`) });
    requests = await keyedRequests(root, identity);
    for (const r of requests) prompts.add(r.payload.prompt);
  };
  await newRound();
  let kills = 0;
  while (kills < 30) {
    const atAccept = kills % 3 === 2;
    killOnCharge = atAccept;
    const result = await generate(root, emu, api, (c) => (current = c), atAccept ? undefined : 60 + Math.floor(random() * 450));
    killOnCharge = false;
    if (result.signal === 'SIGKILL') kills++;
    await expectWholeEntries(store, `after kill ${kills} (${api})`);
    const have = new Set(await store.keys());
    if (requests.every((r) => have.has(r.key))) await newRound();
  }
  const rerun = await generate(root, emu, api);
  expect(rerun.code, rerun.stderr).toBe(0);
  await expectWholeEntries(store, `after the resume (${api})`);
  for (const r of requests) expect((await store.lookup(r.key)).status).toBe('hit');
  // Every sprite of the finished rounds is in the cache; the last round is finished by the resume.
  return { sprites: prompts.size, charges: chargesByPrompt(emu.ledger, tag), afterAccept };
}

function twice(charges: Map<string, number>): number {
  return [...charges.values()].filter((n) => n > 1).length;
}

function bill(charges: Map<string, number>): string {
  const total = [...charges.values()].reduce((a, b) => a + b, 0);
  return `${total} charges for ${charges.size} sprites (${total - charges.size} paid again, ${twice(charges)} sprites more than once)`;
}

describe('kill -9 at any instant, then resume: each sprite is charged once with v2', () => {
  it('30 seeded SIGKILLs (10 right after the POST was accepted), v2 beside v1', async () => {
    const [v2, v1] = await Promise.all([killAndResume('v2'), killAndResume('v1')]);
    console.log(
      `kill -9 x30 then resume (${v2.afterAccept} kills right after an accepted POST): v2 ${bill(v2.charges)}; v1 ${bill(v1.charges)}`,
    );
    expect(v2.afterAccept).toBeGreaterThanOrEqual(8);
    expect(v2.charges.size).toBe(v2.sprites);
    for (const [prompt, n] of v2.charges) expect(n, prompt).toBe(1);
    // The reason v2 exists: v1 pays again for every answer it never heard.
    expect(twice(v1.charges)).toBeGreaterThan(0);
  }, 120_000);

  it('two processes racing on the same keys, with answers dropped after the API took the money, charge each sprite once', async () => {
    const emu = await emulator({ faults: 'drop-after-accept@0.4', seed: 5 });
    const root = await tempDir();
    await writeProject(root, { 'manifests/race.yaml': manySprites(16, 'race', ' [race-v2]') });
    const [a, b] = await Promise.all([generate(root, emu, 'v2'), generate(root, emu, 'v2')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const drops = emu.received.filter((r) => r.path === '/v2/inferences').length - 16;
    const charges = chargesByPrompt(emu.ledger, '[race-v2]');
    expect(charges.size).toBe(16);
    for (const [prompt, n] of charges) expect(n, prompt).toBe(1);
    await expectWholeEntries(new CacheStore(join(root, 'manifests/.retro-cache')), 'after the race');

    // v1 under the same fault: every dropped answer is retried, and paid, again.
    const emu1 = await emulator({ faults: 'drop-after-accept@0.4', seed: 5 });
    const root1 = await tempDir();
    await writeProject(root1, { 'manifests/race.yaml': manySprites(16, 'race', ' [race-v1]') });
    // Not asked to succeed: with 40 % of answers lost, v1's five attempts may all be lost too.
    await Promise.all([generate(root1, emu1, 'v1'), generate(root1, emu1, 'v1')]);
    const charges1 = chargesByPrompt(emu1.ledger, '[race-v1]');
    console.log(`two racing processes, drop-after-accept@0.4: v2 ${bill(charges)}, ${drops} POSTs replayed free; v1 ${bill(charges1)}`);
    expect(twice(charges1)).toBeGreaterThan(0);
  }, 120_000);
});

describe('ctrl-C during a v2 run', () => {
  it('stops the polling at once, keeps the task ids in .pending/, and the next run polls them and pays nothing new', async () => {
    let child: ChildProcess | undefined;
    let accepted = 0;
    const emu = await emulator({
      taskMs: 4000,
      onCharge: (c) => {
        if (c.prompt.includes('[ctrl-c]') && ++accepted === 3) setTimeout(() => child?.kill('SIGINT'), 100);
      },
    });
    const root = await tempDir();
    await writeProject(root, { 'manifests/c.yaml': manySprites(3, 'c', ' [ctrl-c]') });
    const started = Date.now();
    const first = await generate(root, emu, 'v2', (c) => (child = c));
    expect(first.signal ?? first.code).not.toBe(0);
    expect(Date.now() - started, 'stopped before the 4 s tasks ended').toBeLessThan(4000);
    expect(first.stderr).toMatch(/saved in the cache's .pending\//);
    const { readdir, readFile } = await import('node:fs/promises');
    const pendingDir = join(root, 'manifests/.retro-cache/.pending');
    const records = await readdir(pendingDir);
    expect(records).toHaveLength(3);
    for (const f of records) expect(JSON.parse(await readFile(join(pendingDir, f), 'utf8')).taskId).toMatch(/\S/);
    const postsBefore = emu.received.filter((r) => r.method === 'POST' && r.path === '/v2/inferences' && !(r.json as { check_cost?: boolean }).check_cost).length;
    const second = await generate(root, emu, 'v2');
    expect(second.code, second.stderr).toBe(0);
    const postsAfter = emu.received.filter((r) => r.method === 'POST' && r.path === '/v2/inferences' && !(r.json as { check_cost?: boolean }).check_cost).length;
    expect(postsAfter, 'the resumed run polls, it does not post').toBe(postsBefore);
    expect([...chargesByPrompt(emu.ledger, '[ctrl-c]').values()]).toEqual([1, 1, 1]);
    expect(await readdir(pendingDir)).toEqual([]);
  }, 60_000);
});
