import { cacheKey, shortKey } from '../../core/cache-key.js';
import { loadProjectPlan, openProject } from '../../core/project.js';
import { PLACEHOLDER_ID, PLACEHOLDER_VERSION } from '../../core/providers/placeholder/index.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../core/providers/retrodiffusion/index.js';
import type { Command, CommandContext } from '../command.js';
import { projectOptions } from './shared.js';
import { readVariants, writeVariants } from '../../core/variants/registry.js';

/** Art is kept for every provider a manifest could be generated with: a key set later must not erase paid art. */
const KNOWN_PROVIDERS = [
  { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION },
  { id: PLACEHOLDER_ID, version: PLACEHOLDER_VERSION },
];

export const pruneCommand: Command = {
  usage: ['options:', '  --dry-run          list what would be removed, remove nothing',
    '  --variants         also remove variants (retro-sprites variants) whose seed no manifest keeps'].join('\n'),
  options: { 'dry-run': { type: 'boolean' }, variants: { type: 'boolean' } },
  async run(ctx: CommandContext): Promise<number> {
    const { io } = ctx;
    // Placeholder: pruning never needs the API, and must not demand a key.
    const project = openProject({ ...projectOptions(ctx), provider: 'placeholder' });
    // Loading fails on any manifest error, so a broken manifest can never make its sprites look unused.
    const { plan } = await loadProjectPlan(project);
    const referenced = new Set<string>();
    for (const r of plan.requests) for (const p of KNOWN_PROVIDERS) referenced.add(cacheKey(r.payload, p));
    // Variants wait to be picked: kept unless asked to go (the kept one is referenced by its seed).
    const variants = await readVariants(project.cacheDir);
    const dropVariants = ctx.values.variants === true;
    const unused = (await project.store.keys()).filter((k) => !referenced.has(k) && (dropVariants || !variants.has(k)));
    const dry = ctx.values['dry-run'] === true;
    for (const key of unused) {
      io.out(`${dry ? 'would remove' : 'removed'} ${shortKey(key)}`);
      if (!dry) await project.store.remove(key);
    }
    if (!dry && dropVariants && variants.size > 0) {
      for (const k of [...variants.keys()]) if (!referenced.has(k)) variants.delete(k);
      await writeVariants(project.cacheDir, variants);
    }
    const swept = dry ? 0 : await project.store.folder.sweepTemp();
    // Encoded pages are derived from entries; the next build writes the ones it needs again.
    if (!dry) await project.store.folder.clearDerived();
    io.err(
      `${unused.length} unused entr${unused.length === 1 ? 'y' : 'ies'} ${dry ? 'would be removed' : 'removed'}` +
        (swept ? `, ${swept} interrupted write${swept === 1 ? '' : 's'} cleaned up` : ''),
    );
    return 0;
  },
};
