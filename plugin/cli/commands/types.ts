import { relative, resolve } from 'node:path';
import { DEFAULT_CACHE_DIR } from '../../core/cache/folder.js';
import { offlineKeys } from '../../core/offline-keys.js';
import { declarations, defaultDtsPath, writeIfChanged } from '../../vite/dts.js';
import { virtualKeys } from '../../vite/virtual-module.js';
import { stringValue, type Command, type CommandContext } from '../command.js';
import { providerIdentity } from './check.js';

export const typesCommand: Command = {
  usage: [
    'options:',
    '  --out FILE         where to write them (default src/retro-sprites.d.ts when there is a src/ folder, else retro-sprites.d.ts)',
    '  --allow-unknown-styles  accept prompt_style values the built-in catalog does not know',
    '',
    'Reads the manifests and the cache only: nothing is generated, requested or paid for, so `tsc` works',
    'in CI on a fresh clone (`retro-sprites types && tsc --noEmit`).',
  ].join('\n'),
  options: { out: { type: 'string' }, 'allow-unknown-styles': { type: 'boolean' } },
  async run(ctx: CommandContext): Promise<number> {
    const root = resolve(ctx.cwd, stringValue(ctx.values, 'root') ?? '.');
    const result = await offlineKeys({
      root,
      manifests: stringValue(ctx.values, 'manifests'),
      cacheDir: resolve(root, stringValue(ctx.values, 'cache') ?? (ctx.env.RETRO_SPRITES_CACHE?.trim() || DEFAULT_CACHE_DIR)),
      provider: providerIdentity(stringValue(ctx.values, 'provider'), ctx.env),
      allowUnknownStyles: ctx.values['allow-unknown-styles'] === true,
    });
    const out = resolve(root, stringValue(ctx.values, 'out') ?? defaultDtsPath(root));
    const changed = await writeIfChanged(out, declarations(virtualKeys(result.requests, result.keys)));
    const n = result.requests.length;
    const pending = result.notGenerated.length;
    ctx.io.err(
      `${changed ? 'wrote' : 'unchanged:'} ${relative(ctx.cwd, out) || out} (${n} sprite${n === 1 ? '' : 's'}` +
        (pending ? `; ${pending} not generated yet, typed from the manifest's layout` : '') + ')',
    );
    return 0;
  },
};
