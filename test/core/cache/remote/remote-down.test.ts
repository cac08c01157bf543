import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheStore } from '../../../../plugin/core/cache/store.js';
import { startEmulator } from '../../../../plugin/emulator/index.js';
import { runCli } from '../../../helpers/cli.js';
import { withEnv } from '../../../helpers/env.js';
import { listFiles } from '../../../helpers/files.js';
import { manySprites, writeProject } from '../../../helpers/project.js';
import { REMOTE_SERVERS } from '../../../helpers/remote-servers.js';
import { useTempDirs } from '../../../helpers/tmp.js';
import { buildWithPlugin } from '../../../helpers/vite.js';

// References: s3rver and turborepo-remote-cache from npm, real servers on 127.0.0.1, killed with
// SIGKILL in the middle of a build.

const tempDir = useTempDirs();
const RD_KEY = 'remote-down-key';
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.each(['s3', 'turbo'] as const)('the remote cache goes down mid-build (%s)', (kind) => {
  it('the build finishes from local art, says so once, and `cache push` uploads the rest later', async () => {
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    let asked = 0;
    let stopped: Promise<void> | undefined;
    const emulator = await startEmulator({
      token: RD_KEY,
      credits: 100_000,
      latencyMs: 150,
      log: (line) => {
        // The third generation request: two entries are paid (and uploading), four are still to come.
        if (/\/v1\/inferences/.test(line) && !/check/.test(line) && ++asked === 3) stopped = server.stop();
      },
    });
    cleanup.push(() => emulator.close());
    cleanup.push(withEnv({ RD_API_KEY: RD_KEY, RD_API_URL: emulator.url, CI: undefined, ...server.env }));

    const root = await tempDir();
    await writeProject(root, {
      'index.html': '<!doctype html><script type="module" src="./main.ts"></script>\n',
      'main.ts': "import { packUrl } from 'virtual:retro-sprites';\nconsole.log(packUrl);\n",
      'manifests/gems.yaml': manySprites(6),
    });
    const log = await buildWithPlugin(root, { remoteCache: server.url, concurrency: 2 });
    expect(stopped, 'the server was stopped during the build').toBeDefined();
    const text = log.lines.join('\n');
    if (process.env.SHOW_LOG) console.log(text);
    expect(text.match(/is unreachable/g), text).toHaveLength(1);
    expect(text).toContain('going on with the local cache');
    expect(log.lines).toContainEqual(expect.stringMatching(/6 sprites, 0 cached, 6 generated/));
    expect((await listFiles(join(root, 'dist'))).some((f) => f.endsWith('.png'))).toBe(true);
    expect(await new CacheStore(join(root, 'manifests/.retro-cache')).keys()).toHaveLength(6);

    // Back up: what stayed local is pushed, and the remote then holds everything.
    await server.start();
    const env = { ...server.env };
    const status = await runCli(['cache', 'status', '--remote', server.url], { cwd: root, env });
    expect(status.code, status.err.join('\n')).toBe(0);
    const localOnly = Number(/local only:\s+(\d+)/.exec(status.out.join('\n'))![1]);
    expect(localOnly).toBeGreaterThan(0);
    const push = await runCli(['cache', 'push', '--remote', server.url], { cwd: root, env });
    expect(push.code, push.err.join('\n')).toBe(0);
    expect(push.err.join('\n')).toContain(`${localOnly} entr${localOnly === 1 ? 'y' : 'ies'} uploaded`);
    const after = await runCli(['cache', 'status', '--remote', server.url], { cwd: root, env });
    expect(after.out.join('\n')).toMatch(/local only:\s+0\n/);
    expect(after.out.join('\n')).toMatch(/both:\s+6/);
  });
});
