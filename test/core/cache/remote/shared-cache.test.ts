import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../../plugin/emulator/index.js';
import { withEnv } from '../../../helpers/env.js';
import { filesContaining, listFiles } from '../../../helpers/files.js';
import { manySprites, writeProject } from '../../../helpers/project.js';
import { REMOTE_SERVERS, type RemoteServer } from '../../../helpers/remote-servers.js';
import { useTempDirs } from '../../../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../../../helpers/vite.js';

// References: s3rver (an S3-protocol server from npm) driven by the official AWS SDK, and
// turborepo-remote-cache (the Turborepo remote cache server from npm) with its local storage
// driver; both real servers in child processes on 127.0.0.1. The art comes from our emulator.

const tempDir = useTempDirs();
const RD_KEY = `rd-key-${Math.random().toString(36).slice(2)}`;
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Generations the emulator was asked for (price checks excluded). */
function generations(emulator: Emulator): number {
  return emulator.received.filter((r) => r.method === 'POST' && r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean })?.check_cost).length;
}

async function setUp(kind: keyof typeof REMOTE_SERVERS): Promise<{ emulator: Emulator; server: RemoteServer }> {
  const emulator = await startEmulator({ token: RD_KEY, credits: 100_000 });
  cleanup.push(() => emulator.close());
  const server = await REMOTE_SERVERS[kind](await tempDir());
  cleanup.push(() => server.stop());
  cleanup.push(withEnv({ RD_API_KEY: RD_KEY, RD_API_URL: emulator.url, CI: undefined, ...server.env }));
  return { emulator, server };
}

async function checkout(): Promise<string> {
  const root = await tempDir();
  await writeProject(root, GAME_FILES);
  return root;
}

describe.each(['s3', 'turbo'] as const)('a shared remote cache (%s)', (kind) => {
  it('a second checkout with an empty local cache pays nothing and builds a byte-identical dist', async () => {
    const { emulator, server } = await setUp(kind);

    const first = await checkout();
    const logA = await buildWithPlugin(first, { remoteCache: server.url });
    const paid = generations(emulator);
    expect(paid).toBeGreaterThanOrEqual(4);

    const second = await checkout();
    const logB = await buildWithPlugin(second, { remoteCache: server.url });
    expect(generations(emulator), 'the second checkout paid').toBe(paid);
    expect(logB.lines.join('\n')).toMatch(/4 entries fetched from the remote cache/);
    expect(logB.lines).toContainEqual(expect.stringMatching(/4 sprites, 4 cached, 0 generated/));

    const distA = await listFiles(join(first, 'dist'));
    expect(await listFiles(join(second, 'dist'))).toEqual(distA);
    for (const f of distA) expect(await readFile(join(second, 'dist', f)), f).toEqual(await readFile(join(first, 'dist', f)));
    // The local copies are the paid records, byte for byte (beside what each machine derives for itself:
    // the derived folders are keyed by its own files' inodes and times).
    const local = ['.pages', '.locks', '.atlases', '.builds', '.parses'];
    const cacheA = await listFiles(join(first, 'manifests/.retro-cache'), local);
    expect(cacheA.filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{64}\.json$/.test(f))).toHaveLength(4);
    expect(await listFiles(join(second, 'manifests/.retro-cache'), local)).toEqual(cacheA);
    for (const f of cacheA) expect(await readFile(join(second, 'manifests/.retro-cache', f)), f).toEqual(await readFile(join(first, 'manifests/.retro-cache', f)));

    // Credentials reach no log line, no cache file, no bundle and no remote object.
    const secrets = [RD_KEY, ...server.secrets];
    for (const line of [...logA.lines, ...logB.lines]) for (const s of secrets) expect(line).not.toContain(s);
    for (const dir of [first, second, server.dir]) expect(await filesContaining(dir, secrets), dir).toEqual([]);
  });
});

describe.each(['s3', 'turbo'] as const)('round trips to the remote (%s)', (kind) => {
  it('an empty local cache costs one listing (S3) plus the entries\' own reads; a warm local cache asks nothing', async () => {
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    cleanup.push(withEnv({ RD_API_KEY: undefined, CI: undefined, ...server.env }));
    const files = (n: number) => ({
      'index.html': '<!doctype html><script type="module" src="./main.ts"></script>\n',
      'main.ts': "import { packUrl } from 'virtual:retro-sprites';\nconsole.log(packUrl);\n",
      'manifests/gems.yaml': manySprites(n),
    });
    const first = await tempDir();
    await writeProject(first, files(40));
    await buildWithPlugin(first, { remoteCache: server.url });

    // 50 sprites, 40 of them in the remote: the 10 new ones are placeholder art (free) and uploaded.
    const second = await tempDir();
    await writeProject(second, files(50));
    const before = server.requests.length;
    const log = await buildWithPlugin(second, { remoteCache: server.url });
    expect(log.lines.join('\n')).toMatch(/40 entries fetched/);
    const asked = server.requests.slice(before);
    const reads = asked.filter((r) => r.startsWith('GET '));
    if (kind === 's3') {
      expect(asked.filter((r) => /list-type=2/.test(r))).toHaveLength(1);
      // Each held entry's record and image; nothing is asked about the 10 the listing did not show.
      expect(reads.filter((r) => /\/records\//.test(r))).toHaveLength(40);
      expect(reads.filter((r) => /\/files\//.test(r))).toHaveLength(40);
    } else {
      // No listing in the Turborepo API: a record read for each of the 50 misses, an image for each of the 40 held.
      expect(reads).toHaveLength(50 + 40);
    }
    expect(asked.filter((r) => r.startsWith('PUT '))).toHaveLength(10 * 2);

    // Unchanged, with the local cache warm: not one request.
    const quiet = server.requests.length;
    await buildWithPlugin(second, { remoteCache: server.url });
    expect(server.requests.slice(quiet)).toEqual([]);
  });
});
