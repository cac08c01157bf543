import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { manySprites, writeProject } from '../helpers/project.js';
import { REMOTE_SERVERS } from '../helpers/remote-servers.js';
import { useTempDirs } from '../helpers/tmp.js';

// References: s3rver and turborepo-remote-cache from npm, real servers on 127.0.0.1.

const tempDir = useTempDirs();
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function project(n: number): Promise<string> {
  const root = await tempDir();
  await writeProject(root, { 'manifests/gems.yaml': manySprites(n) });
  return root;
}

describe.each(['s3', 'turbo'] as const)('retro-sprites cache (%s)', (kind) => {
  it('push moves a committed cache to the remote, pull brings it into a new checkout, status counts both sides', async () => {
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    const env = { ...server.env };
    const a = await project(5);
    expect((await runCli(['generate'], { cwd: a, env })).code).toBe(0);

    const before = await runCli(['cache', 'status', '--remote', server.url], { cwd: a, env });
    expect(before.out.join('\n')).toMatch(/local only:\s+5\n.*remote only:\s+0.*\n.*both:\s+0/s);
    const push = await runCli(['cache', 'push', '--remote', server.url], { cwd: a, env });
    expect(push.code, push.err.join('\n')).toBe(0);
    expect(push.err).toContain(`5 entries uploaded to ${server.kind === 's3' ? 's3://sprites/team/game/' : server.url}, 0 already there`);

    const b = await project(5);
    const status = await runCli(['cache', 'status', '--remote', server.url], { cwd: b, env });
    expect(status.out.join('\n')).toMatch(/local only:\s+0\n.*remote only:\s+5/s);
    const pull = await runCli(['cache', 'pull', '--remote', server.url], { cwd: b, env });
    expect(pull.code, pull.err.join('\n')).toBe(0);
    expect(pull.err.at(-1)).toMatch(/^5 entries pulled from .*, 0 already local$/);
    const frozen = await runCli(['generate', '--frozen'], { cwd: b, env });
    expect(frozen.code, frozen.err.join('\n')).toBe(0);
    expect(frozen.err.at(-1)).toMatch(/^5 sprites, 5 cached, 0 generated/);
  });

  it('frozen with a remote: what the remote holds is fetched; what is missing everywhere fails as before', async () => {
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    const env = { ...server.env, RETRO_SPRITES_REMOTE: server.url };
    const a = await project(3);
    expect((await runCli(['generate'], { cwd: a, env })).code).toBe(0);
    const b = await project(4);
    const run = await runCli(['generate', '--frozen'], { cwd: b, env });
    expect(run.code).toBe(1);
    const text = run.err.join('\n');
    expect(text).toMatch(/3 entries fetched from the remote cache/);
    expect(text).toMatch(/many\/s3 \(key/);
    expect(text).not.toMatch(/many\/s[012] \(key/);
  });

  it('rejected credentials are said once, the run goes on locally, and the secret appears nowhere', async () => {
    const server = await REMOTE_SERVERS[kind](await tempDir());
    cleanup.push(() => server.stop());
    const wrong = `WRONG${Math.random().toString(36).slice(2).toUpperCase()}`;
    // s3rver checks the access key id, not SigV4 signatures: a wrong id is what it can reject.
    const env = kind === 's3' ? { ...server.env, AWS_ACCESS_KEY_ID: wrong } : { ...server.env, TURBO_TOKEN: wrong };
    const root = await project(3);
    const run = await runCli(['generate', '--remote', server.url], { cwd: root, env });
    expect(run.code, run.err.join('\n')).toBe(0);
    const text = run.err.join('\n');
    expect(text.match(/refused our credentials/g), text).toHaveLength(1);
    expect(text).toMatch(kind === 's3' ? /HTTP 403.*AWS_ACCESS_KEY_ID/ : /HTTP 401.*TURBO_TOKEN/);
    expect(text).not.toContain(wrong);
    expect(text).toMatch(/3 sprites, 0 cached, 3 generated/);
  });
});

describe('remote cache URLs', () => {
  it('refuses what would leak or cannot work, saying where the URL came from and what to use', async () => {
    const root = await project(1);
    const bad = async (args: string[], env: NodeJS.ProcessEnv = {}) => (await runCli(['generate', ...args], { cwd: root, env })).err.join('\n');
    expect(await bad(['--remote', 'http://cache.example.com'])).toMatch(/--remote: http:\/\/cache\.example\.com\/ is plain http .*use https:\/\/ \(http:\/\/ is accepted for loopback addresses only\)/);
    const withPassword = await bad(['--remote', 's3://AKIAEXAMPLE:hunter2secret@bucket/p']);
    expect(withPassword).toMatch(/--remote: credentials in the remote cache URL are refused .*AWS_ACCESS_KEY_ID/);
    expect(withPassword).not.toContain('hunter2secret');
    expect(await bad(['--remote', 'ftp://host/x'])).toMatch(/is neither s3:\/\/ nor https:\/\//);
    expect(await bad([], { RETRO_SPRITES_REMOTE: 'not a url' })).toMatch(/^retro-sprites: RETRO_SPRITES_REMOTE: "not a url" is not a URL/m);
    expect(await bad(['--remote', 's3:///prefix'])).toMatch(/needs a bucket/);
  });
});
