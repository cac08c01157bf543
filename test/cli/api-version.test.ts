import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectProvider } from '../../plugin/core/providers/select.js';
import { startEmulator, type Emulator } from '../../plugin/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { manySprites, writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

/** Choosing the API version: `--api`, then RD_API_VERSION, else v1; each refusal in the words of where it was set. */
const tempDir = useTempDirs();
const TOKEN = 'api-version-token';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ token: TOKEN, taskMs: 50 });
});
afterAll(() => emu.close());

const env = { RD_API_KEY: TOKEN, RD_API_URL: '' };
const paths = (from: number) => [...new Set(emu.received.slice(from).map((r) => `${r.method} ${r.path.replace(/tasks\/.*/, 'tasks/…')}`))].sort();

describe('retro-sprites generate --api', () => {
  it('--api v2 posts tasks to /v2 and leaves no pending record once the entries are in', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/a.yaml': manySprites(2, 'a', ' over v2') });
    const from = emu.received.length;
    const run = await runCli(['generate', '--api', 'v2'], { cwd: root, env: { ...env, RD_API_URL: emu.url } });
    expect(run.code, run.err.join('\n')).toBe(0);
    expect(paths(from)).toEqual(['GET /v2/inferences/tasks/…', 'POST /v2/inferences']);
    expect(await readdir(join(root, 'manifests/.retro-cache/.pending')).catch(() => [])).toEqual([]);
  });

  it('RD_API_VERSION=v2 does the same; without either, v1', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/a.yaml': manySprites(1, 'a', ' by env') });
    let from = emu.received.length;
    expect((await runCli(['generate'], { cwd: root, env: { ...env, RD_API_URL: emu.url, RD_API_VERSION: 'v2' } })).code).toBe(0);
    expect(paths(from)).toContain('POST /v2/inferences');
    await writeProject(root, { 'manifests/a.yaml': manySprites(1, 'a', ' by default') });
    from = emu.received.length;
    expect((await runCli(['generate'], { cwd: root, env: { ...env, RD_API_URL: emu.url } })).code).toBe(0);
    expect(paths(from)).toEqual(['POST /v1/inferences']);
  });

  it('a bad version is refused before any request, naming the flag, the variable or the option', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/a.yaml': manySprites(1) });
    const from = emu.received.length;
    const flag = await runCli(['generate', '--api', 'v3'], { cwd: root, env: { ...env, RD_API_URL: emu.url } });
    expect(flag.code).toBe(1);
    expect(flag.err.join('\n')).toContain('retro-sprites: --api must be "v1" or "v2" (got "v3")');
    const fromEnv = await runCli(['generate'], { cwd: root, env: { ...env, RD_API_URL: emu.url, RD_API_VERSION: '2' } });
    expect(fromEnv.err.join('\n')).toContain('RD_API_VERSION must be "v1" or "v2" (got "2")');
    expect(() => selectProvider({ env: { RD_API_KEY: TOKEN }, api: { version: 'V2' as never } })).toThrow('api.version must be "v1" or "v2" (got "V2")');
    expect(emu.received.length).toBe(from);
  });
});
