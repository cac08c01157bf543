import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Output streams a command writes to; tests pass collectors. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal (live progress lines). */
  isTTY: boolean;
}

export interface CommandContext {
  values: ParsedValues;
  positionals: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: CliIO;
  /** Aborted on SIGINT/SIGTERM so long work can stop cleanly, keeping what is done. */
  signal: AbortSignal;
}

/** What a command does, its flags and its work: the module of one command. */
export interface Command {
  /** Extra lines for `retro-sprites help <command>`. */
  usage: string;
  options: OptionSpec;
  run(ctx: CommandContext): Promise<number>;
}

/** A command as `help` lists it; `load` brings in its module when it is the one that runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Flags every command that reads manifests understands. */
export const COMMON_OPTIONS: OptionSpec = {
  manifests: { type: 'string' },
  cache: { type: 'string' },
  provider: { type: 'string' },
  root: { type: 'string' },
  api: { type: 'string' },
  remote: { type: 'string' },
};

export const COMMON_USAGE = [
  '  --manifests GLOB   manifest files (default manifests/**/*.{yaml,yml})',
  '  --cache DIR        cache folder (default manifests/.retro-cache)',
  '  --provider NAME    retrodiffusion | placeholder (default: retrodiffusion when RD_API_KEY is set)',
  '  --root DIR         project root (default: the current folder)',
  '  --api v1|v2        RetroDiffusion API version (default: $RD_API_VERSION, else v1); v2 never pays twice for a lost answer',
  '  --remote URL       shared cache: s3://bucket/prefix or https://turborepo-cache (default: $RETRO_SPRITES_REMOTE)',
].join('\n');

export function stringValue(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
