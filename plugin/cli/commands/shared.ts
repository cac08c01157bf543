import { resolve } from 'node:path';
import { RetroSpritesError } from '../../core/errors.js';
import type { ProjectOptions } from '../../core/project.js';
import { apiVersion } from '../../core/providers/select.js';
import { stringValue, type CommandContext, type ParsedValues } from '../command.js';

/** The common flags (--root, --manifests, --cache, --provider) as project options. */
export function projectOptions(ctx: CommandContext): ProjectOptions {
  const root = stringValue(ctx.values, 'root');
  const api = stringValue(ctx.values, 'api');
  return {
    ...(api !== undefined ? { api: { version: apiVersion(api, ctx.env, '--api') } } : {}),
    root: resolve(ctx.cwd, root ?? '.'),
    manifests: stringValue(ctx.values, 'manifests'),
    cacheDir: stringValue(ctx.values, 'cache'),
    provider: stringValue(ctx.values, 'provider'),
    remoteCache: stringValue(ctx.values, 'remote'),
    remoteCacheFrom: '--remote',
    env: ctx.env,
    log: (line) => ctx.io.err(line),
  };
}

export function numberFlag(values: ParsedValues, name: string): number | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new RetroSpritesError('bad-flag', `--${name} takes a non-negative number, not "${raw}"`);
  }
  return n;
}
