import { ManifestError, RetroSpritesError, formatDiagnostic } from '../core/errors.js';
import { commandSuggestion, parseCommandArgs, UsageError } from './args.js';
import { COMMON_OPTIONS, COMMON_USAGE, type CliIO, type Command, type CommandEntry } from './command.js';
import { COMMANDS } from './commands/index.js';

const defaultIO: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
};

/** A sentence, then where to look: no `?.` when the sentence asks "did you mean …?". */
const thenSee = (sentence: string, see: string): string => `${sentence}${sentence.endsWith('?') ? '' : '.'} See \`${see}\`.`;

function help(io: CliIO): void {
  io.out('usage: retro-sprites <command> [options]\n');
  io.out('commands:');
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(10)} ${c.summary}`);
  io.out('\ncommon options:\n' + COMMON_USAGE);
  io.out('\nrun `retro-sprites help <command>` for a command\'s own options.');
}

function commandHelp(entry: CommandEntry, c: Command, io: CliIO): void {
  io.out(`usage: retro-sprites ${entry.name} [options]\n\n${entry.summary}\n`);
  if (c.usage) io.out(c.usage);
  io.out('\ncommon options:\n' + COMMON_USAGE);
}

/**
 * Runs one command and returns its exit code. User errors are printed as one line each
 * (`file:line:col: message` where there is a place), never as a stack trace.
 */
export async function main(argv: string[], io: CliIO = defaultIO, env = process.env, cwd = process.cwd()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0] && COMMANDS.find((c) => c.name === rest[0]);
    if (target) commandHelp(target, await target.load(), io);
    else help(io);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    io.out(pkg.version);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const hint = commandSuggestion(name, COMMANDS.map((c) => c.name));
    io.err(thenSee(`retro-sprites: unknown command "${name}"${hint || `. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`}`, 'retro-sprites help'));
    return 2;
  }
  const command = await entry.load();
  let parsed;
  try {
    parsed = parseCommandArgs(rest, { ...COMMON_OPTIONS, ...command.options, help: { type: 'boolean', short: 'h' } }, `${command.usage}\n${COMMON_USAGE}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(thenSee(`retro-sprites ${name}: ${err.message}`, `retro-sprites help ${name}`));
    return 2;
  }
  if (parsed.values.help) {
    commandHelp(entry, command, io);
    return 0;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort(new RetroSpritesError('aborted', 'interrupted; finished results are kept in the cache'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, cwd, env, io, signal: controller.signal });
  } catch (err) {
    return reportError(err, io, cwd, env);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function reportError(err: unknown, io: CliIO, root: string, env: NodeJS.ProcessEnv = process.env): number {
  if (err instanceof ManifestError) {
    for (const d of err.diagnostics) io.err(formatDiagnostic(d, root, 'cli'));
    const n = err.diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`retro-sprites: ${n} error${n === 1 ? '' : 's'} in manifests; nothing was generated.`);
    return 1;
  }
  if (err instanceof RetroSpritesError) {
    io.err(`retro-sprites: ${err.messageFor('cli')}`);
    return 1;
  }
  io.err(`retro-sprites: internal error: ${(err as Error)?.message ?? String(err)}`);
  if (env.RETRO_SPRITES_DEBUG) io.err(String((err as Error)?.stack));
  return 70;
}
