import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { RetroSpritesError } from '../../core/errors.js';
import { GenerationFailedError } from '../../core/generate/errors.js';
import { runGeneration } from '../../core/generate/run.js';
import { encodePng } from '../../core/image/png.js';
import { decodeFrames } from '../../core/phaser/frames.js';
import { loadProjectPlan, openProject, runOptionsOf } from '../../core/project.js';
import { contactSheet } from '../../core/variants/contact-sheet.js';
import { readVariants, writeVariants } from '../../core/variants/registry.js';
import { variantRequest, variantSeeds } from '../../core/variants/seeds.js';
import { stringValue, type Command, type CommandContext } from '../command.js';
import { cliReporter } from '../progress.js';
import { numberFlag, projectOptions } from './shared.js';

const MAX_VARIANTS = 16;

export const variantsCommand: Command = {
  usage: [
    'usage: retro-sprites variants <atlas>/<sprite> [--count N] [--sheet FILE]',
    'options:',
    `  --count N          how many variants (default 4, at most ${MAX_VARIANTS})`,
    '  --sheet FILE       where to write the contact sheet (default variants-<atlas>-<sprite>.png)',
    '  --max-cost N       stop before spending more than N (credits, or USD with the newer API)',
    'Keep one by writing its seed into the manifest (seed: N); prune --variants removes the others.',
  ].join('\n'),
  options: { count: { type: 'string' }, sheet: { type: 'string' }, 'max-cost': { type: 'string' } },
  async run(ctx: CommandContext): Promise<number> {
    const { io, values } = ctx;
    const target = ctx.positionals[0];
    const [atlas, sprite, extra] = (target ?? '').split('/');
    if (!atlas || !sprite || extra !== undefined) {
      throw new RetroSpritesError('bad-flag', `variants takes one sprite as <atlas>/<sprite>, e.g. retro-sprites variants items/coin${target ? `; got "${target}"` : ''}`);
    }
    const count = numberFlag(values, 'count') ?? 4;
    if (!Number.isInteger(count) || count < 1 || count > MAX_VARIANTS) {
      throw new RetroSpritesError('bad-flag', `--count takes a whole number from 1 to ${MAX_VARIANTS}, not "${stringValue(values, 'count')}"`);
    }
    const project = openProject({ ...projectOptions(ctx), maxCost: numberFlag(values, 'max-cost') });
    if (project.providerNotice) io.err(project.providerNotice);
    try {
      const { requests } = await loadProjectPlan(project);
      const base = requests.find((r) => r.atlas === atlas && r.sprite === sprite);
      if (!base) {
        const known = requests.filter((r) => r.sprite === sprite).map((r) => `${r.atlas}/${r.sprite}`);
        throw new RetroSpritesError('not-found', `no sprite ${atlas}/${sprite} in the manifests${known.length ? `; did you mean ${known.join(' or ')}?` : ''}`);
      }
      const seeds = variantSeeds(base, count);
      const variants = seeds.map((seed) => variantRequest(base, seed, project.provider));
      // The plan line of the reporter states the estimated cost before anything is spent.
      const result = await runGeneration(variants, { ...runOptionsOf(project), priceFirst: true, signal: ctx.signal, reporter: cliReporter(io) });
      if (result.failures.length > 0) throw new GenerationFailedError(result.failures, project.root);

      const notes = await readVariants(project.cacheDir);
      const shown: { seed: number; image: import('../../core/image/bitmap.js').RgbaImage }[] = [];
      for (const v of variants) {
        const outcome = result.outcomes.get(v.key);
        const entry = result.entries.get(v.key)!;
        const cost = outcome?.status === 'generated' ? outcome.cost ?? entry.record.cost : undefined;
        io.out(`seed ${v.payload.seed}  ${cost ? `${cost.amount} ${cost.unit}` : 'cached, free'}`);
        notes.set(v.key, { atlas, sprite, seed: v.payload.seed! });
        shown.push({ seed: v.payload.seed!, image: decodeFrames(entry.images[0]!, `${atlas}/${sprite} seed ${v.payload.seed}`).frames[0]!.image });
      }
      await writeVariants(project.cacheDir, notes);
      const sheetPath = resolve(ctx.cwd, stringValue(values, 'sheet') ?? `variants-${atlas}-${sprite}.png`);
      await writeFile(sheetPath, encodePng(contactSheet(shown)));
      io.err(`wrote the contact sheet ${sheetPath}; keep one with \`seed: N\` on ${sprite} in its manifest`);
      return 0;
    } finally {
      await project.provider.close?.();
    }
  },
};
