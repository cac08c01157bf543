import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRemoteCache } from '../../../../plugin/core/cache/remote/open.js';
import { CacheStore, type CacheEntry } from '../../../../plugin/core/cache/store.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../../../plugin/core/providers/retrodiffusion/index.js';
import { startEmulator, type Emulator } from '../../../../plugin/emulator/index.js';
import { withEnv } from '../../../helpers/env.js';
import { keyedRequests, writeProject } from '../../../helpers/project.js';
import { REMOTE_SERVERS } from '../../../helpers/remote-servers.js';
import { useTempDirs } from '../../../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../../../helpers/vite.js';

// References: s3rver and turborepo-remote-cache from npm, real servers on 127.0.0.1. The damaged
// objects are written to them over their own protocol, as a broken uploader or an attacker would.

const tempDir = useTempDirs();
const RD_KEY = 'refused-test-key';
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function generations(emulator: Emulator): number {
  return emulator.received.filter((r) => r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean })?.check_cost).length;
}

async function checkout(): Promise<string> {
  const root = await tempDir();
  await writeProject(root, GAME_FILES);
  return root;
}

describe.each(['s3', 'turbo'] as const)('damaged or foreign remote objects (%s)', (kind) => {
  it('a flipped byte, a truncated file, a record without its images and another key\'s entry are refused; nothing damaged is kept', async () => {
    const emulator = await startEmulator({ token: RD_KEY, credits: 100_000 });
    cleanup.push(() => emulator.close());
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    cleanup.push(withEnv({ RD_API_KEY: RD_KEY, RD_API_URL: emulator.url, CI: undefined, ...server.env }));

    // Paid art, local only, then put in the remote by hand, each entry damaged its own way.
    const paidRoot = await checkout();
    await buildWithPlugin(paidRoot);
    const requests = await keyedRequests(paidRoot, { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION });
    const paidStore = new CacheStore(join(paidRoot, 'manifests/.retro-cache'));
    const entry = async (sprite: string): Promise<CacheEntry> => {
      const got = await paidStore.lookup(requests.find((r) => r.sprite === sprite)!.key);
      if (got.status !== 'hit') throw new Error(`${sprite} not cached`);
      return got.entry;
    };
    const recordBytes = (e: CacheEntry) => readFile(paidStore.recordFile(e.key));
    const backend = openRemoteCache({ url: server.url, env: { ...server.env } })!.backend;
    const [hero, coin, walker, grass] = await Promise.all(['hero', 'coin', 'walker', 'grass'].map(entry));

    const flipped = Buffer.from(hero!.images[0]!.bytes);
    flipped[flipped.length >> 1]! ^= 0x01;
    await backend.put({ kind: 'file', key: hero!.key, name: '0.png' }, flipped);
    await backend.put({ kind: 'record', key: hero!.key }, await recordBytes(hero!));

    for (const [i, f] of coin!.record.files.entries()) {
      const bytes = coin!.images[i]!.bytes;
      await backend.put({ kind: 'file', key: coin!.key, name: f.name }, i === 0 ? bytes.slice(0, bytes.length - 7) : bytes);
    }
    await backend.put({ kind: 'record', key: coin!.key }, await recordBytes(coin!));

    await backend.put({ kind: 'record', key: walker!.key }, await recordBytes(walker!));

    await backend.put({ kind: 'file', key: grass!.key, name: '0.png' }, hero!.images[0]!.bytes);
    await backend.put({ kind: 'record', key: grass!.key }, await recordBytes(hero!));

    const before = generations(emulator);
    const second = await checkout();
    const log = await buildWithPlugin(second, { remoteCache: server.url });
    const text = log.lines.join('\n');
    if (process.env.SHOW_LOG) console.log(text);
    expect(text).toContain(`remote cache entry ${hero!.key.slice(0, 12)} in ${server.kind === 's3' ? 's3://' : 'http://'}`);
    expect(text).toMatch(new RegExp(`${hero!.key.slice(0, 12)} .*refused: 0\\.png does not match its sha256`));
    expect(text).toMatch(new RegExp(`${coin!.key.slice(0, 12)} .*refused: 0\\.(png|gif) does not match its sha256 .*truncated`));
    expect(text).toMatch(new RegExp(`${walker!.key.slice(0, 12)} .*refused: its record lists 0\\.(png|gif) but the remote holds no such file`));
    expect(text).toMatch(new RegExp(`${grass!.key.slice(0, 12)} .*refused: its record\\.json is the record of another key \\(${hero!.key.slice(0, 12)}\\)`));
    // Refused means unused: every sprite was paid for again, and what the local cache holds verifies.
    expect(generations(emulator) - before).toBe(4);
    const store = new CacheStore(join(second, 'manifests/.retro-cache'));
    for (const e of [hero!, coin!, walker!, grass!]) {
      const got = await store.lookup(e.key);
      expect(got.status, e.record.requested_by).toBe('hit');
    }
    // The new payment replaced the damaged objects: a third checkout is served whole from the remote.
    const third = await checkout();
    const log3 = await buildWithPlugin(third, { remoteCache: server.url });
    expect(log3.lines.join('\n')).not.toContain('refused');
    expect(log3.lines.join('\n')).toMatch(/4 entries fetched/);
    expect(generations(emulator) - before).toBe(4);
  });
});
