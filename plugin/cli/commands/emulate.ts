import { startEmulator, DEFAULT_EMULATOR_PORT, DEFAULT_EMULATOR_TOKEN, DEFAULT_EMULATOR_CREDITS, FaultSpecError, parseFaultSpec } from '../../emulator/index.js';
import { RetroSpritesError } from '../../core/errors.js';
import { stringValue, type Command, type CommandContext } from '../command.js';

/** Where the README's emulator commands cache: gitignored with node_modules, safe to delete. */
export const EMULATOR_CACHE_ENV = 'RETRO_SPRITES_CACHE=node_modules/.cache/retro-sprites-emulator';

function intOption(ctx: CommandContext, name: string, min: number): number | undefined {
  const v = stringValue(ctx.values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new RetroSpritesError('bad-option', `--${name} must be a number of at least ${min} (got "${v}")`);
  return n;
}

export const emulateCommand: Command = {
  usage: [
    'options:',
    `  --port N           port on 127.0.0.1 (default ${DEFAULT_EMULATOR_PORT}; 0 picks a free one)`,
    `  --token T          token to accept in X-RD-Token (default: $RD_API_KEY, else "${DEFAULT_EMULATOR_TOKEN}")`,
    `  --credits N        starting balance (default ${DEFAULT_EMULATOR_CREDITS})`,
    '  --latency MS       delay every answer',
    '  --task-ms MS       how long a v2 task takes from accepted to done (default 1000)',
    '  --faults SPEC      inject faults, e.g. "429:1*2,500@0.1,latency:200@0.5" (see the README)',
    '  --seed N           seed of the rate-based faults (default 1)',
    '  --dialect D        seed (credits, the seed document) | newer (USD balance)',
    '',
    `then, in another terminal:  ${EMULATOR_CACHE_ENV} RD_API_URL=http://127.0.0.1:8787 RD_API_KEY=<token> npx vite build`,
    '(RETRO_SPRITES_CACHE keeps the emulator\'s art out of your committed cache)',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    credits: { type: 'string' },
    latency: { type: 'string' },
    'task-ms': { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    dialect: { type: 'string' },
  },
  async run(ctx: CommandContext): Promise<number> {
    const { io } = ctx;
    const dialect = stringValue(ctx.values, 'dialect') ?? 'seed';
    if (dialect !== 'seed' && dialect !== 'newer') throw new RetroSpritesError('bad-option', `--dialect must be seed or newer (got "${dialect}")`);
    const faults = stringValue(ctx.values, 'faults');
    if (faults) {
      try {
        parseFaultSpec(faults);
      } catch (err) {
        if (err instanceof FaultSpecError) throw new RetroSpritesError('bad-option', `--faults: ${err.message}`);
        throw err;
      }
    }
    const flagToken = stringValue(ctx.values, 'token');
    const envToken = ctx.env.RD_API_KEY?.trim() || undefined;
    const token = flagToken ?? envToken ?? DEFAULT_EMULATOR_TOKEN;
    const emu = await startEmulator({
      port: intOption(ctx, 'port', 0) ?? DEFAULT_EMULATOR_PORT,
      token,
      credits: intOption(ctx, 'credits', 0) ?? DEFAULT_EMULATOR_CREDITS,
      latencyMs: intOption(ctx, 'latency', 0) ?? 0,
      taskMs: intOption(ctx, 'task-ms', 0) ?? 1000,
      seed: intOption(ctx, 'seed', 0) ?? 1,
      dialect,
      ...(faults ? { faults } : {}),
      log: (line) => io.out(line),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new RetroSpritesError('port-in-use', `port ${stringValue(ctx.values, 'port') ?? DEFAULT_EMULATOR_PORT} is in use; pick another with --port`);
      throw err;
    });
    // The token is only printed when it is our public default, never a key from the environment.
    const shown = flagToken ? '<the --token value>' : envToken ? '"$RD_API_KEY"' : DEFAULT_EMULATOR_TOKEN;
    io.out(`RetroDiffusion emulator listening on ${emu.url} (${dialect} dialect, ${emu.credits} ${dialect === 'seed' ? 'credits' : 'USD'}${faults ? `, faults ${faults}` : ''})`);
    // Emulator art is cached under the real provider's keys: a throwaway folder keeps it out of the committed cache.
    io.out(`use it with: ${EMULATOR_CACHE_ENV} RD_API_URL=${emu.url} RD_API_KEY=${shown} npx vite build`);
    io.out('press Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await emu.close();
    io.out('emulator stopped');
    return 0;
  },
};
