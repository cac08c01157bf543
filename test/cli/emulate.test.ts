import { describe, expect, it } from 'vitest';
import type { CliIO, CommandContext } from '../../plugin/cli/command.js';
import { creditsCommand } from '../../plugin/cli/commands/credits.js';
import { emulateCommand } from '../../plugin/cli/commands/emulate.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { out, err, cli };
}

function ctx(values: CommandContext['values'], env: NodeJS.ProcessEnv, cli: CliIO, signal = new AbortController().signal): CommandContext {
  return { values, positionals: [], cwd: process.cwd(), env, io: cli, signal };
}

async function waitFor<T>(fn: () => T | undefined): Promise<T> {
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('retro-sprites emulate and credits', () => {
  it('serves until interrupted; `credits` against it prints the balance; the key never shows', async () => {
    const key = 'rdpk-CLI-SECRET-123';
    const server = io();
    const stop = new AbortController();
    const running = emulateCommand.run(ctx({ port: '0', credits: '42' }, { RD_API_KEY: key }, server.cli, stop.signal));
    const url = await waitFor(() => server.out.map((l) => /listening on (http:\S+)/.exec(l)?.[1]).find(Boolean));
    expect(server.out.join('\n')).toContain(`RD_API_URL=${url} RD_API_KEY="$RD_API_KEY" npx vite build`);

    const client = io();
    expect(await creditsCommand.run(ctx({}, { RD_API_KEY: key, RD_API_URL: url }, client.cli))).toBe(0);
    expect(client.out).toEqual(['42 credits left']);

    stop.abort();
    expect(await running).toBe(0);
    expect(server.out).toContainEqual(expect.stringMatching(/^emulator: GET \/v1\/inferences\/credits -> 200 \d+ms$/));
    for (const line of [...server.out, ...server.err, ...client.out, ...client.err]) expect(line).not.toContain(key);
  });

  it('prints its public default token when no key is set', async () => {
    const server = io();
    const stop = new AbortController();
    const running = emulateCommand.run(ctx({ port: '0', dialect: 'newer' }, {}, server.cli, stop.signal));
    await waitFor(() => (server.out.length >= 2 ? true : undefined));
    expect(server.out[1]).toMatch(/RD_API_KEY=emulator-token npx vite build/);
    stop.abort();
    expect(await running).toBe(0);
  });

  it('refuses a fault spec it cannot read, before listening', async () => {
    const server = io();
    await expect(emulateCommand.run(ctx({ port: '0', faults: '500,teapot' }, {}, server.cli))).rejects.toThrow(/--faults: unknown fault "teapot"/);
  });

  it('credits without a key is a clear error', async () => {
    const client = io();
    await expect(creditsCommand.run(ctx({}, {}, client.cli))).rejects.toThrow(/needs an API key: set RD_API_KEY/);
    // The placeholder has no account: it is no answer to "how many credits are left".
    await expect(creditsCommand.run(ctx({}, {}, client.cli))).rejects.not.toThrow(/placeholder/);
  });
});
