import path from 'node:path';
import { cacheKey, shortKey } from '../../core/cache-key.js';
import { formatDiagnostic } from '../../core/errors.js';
import { loadManifests, type ManifestPlan } from '../../core/manifest/index.js';
import { layoutCellCount, resolveLayout } from '../../core/animation-layout.js';
import { PLACEHOLDER_ID, PLACEHOLDER_VERSION } from '../../core/providers/placeholder/index.js';
import { RETRODIFFUSION_ID, RETRODIFFUSION_VERSION } from '../../core/providers/retrodiffusion/index.js';
import type { GenerationRequest } from '../../core/request.js';
import { stringValue, type Command, type CommandContext } from '../command.js';

export interface ProviderIdentity {
  id: string;
  version: string;
}

/**
 * The identities keys are computed under. They must equal the real providers' `id`/`version`
 * (plugin/core/providers), or the keys shown here would not be the cache's.
 */
export const PLACEHOLDER_IDENTITY: ProviderIdentity = { id: PLACEHOLDER_ID, version: PLACEHOLDER_VERSION };
export const RETRODIFFUSION_IDENTITY: ProviderIdentity = { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION };

/** Which provider `generate` would use: the flag, else the API when a key is set, else the placeholder. */
export function providerIdentity(flag: string | undefined, env: NodeJS.ProcessEnv): ProviderIdentity {
  if (flag === 'placeholder') return PLACEHOLDER_IDENTITY;
  if (flag === 'retrodiffusion') return RETRODIFFUSION_IDENTITY;
  return env.RD_API_KEY ? RETRODIFFUSION_IDENTITY : PLACEHOLDER_IDENTITY;
}

/** The plan as a table per atlas: sprite, short key, size, style, what comes back. */
export function formatPlan(plan: ManifestPlan, provider: ProviderIdentity): string[] {
  const lines: string[] = [];
  for (const atlas of plan.atlases) {
    const requests = plan.requests.filter((r) => r.atlas === atlas);
    const images = requests.reduce((n, r) => n + r.payload.num_images, 0);
    lines.push(`atlas ${atlas}: ${count(requests.length, 'sprite')}, ${count(images, 'image')}`);
    const rows = requests.map((r) => [
      r.sprite,
      shortKey(cacheKey(r.payload, provider)),
      `${r.payload.width}x${r.payload.height}`,
      r.payload.prompt_style ?? '(no style)',
      describeOutput(r),
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) lines.push('  ' + row.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  '));
  }
  return lines;
}

function describeOutput(r: GenerationRequest): string {
  const parts: string[] = [];
  const layout = resolveLayout(r.payload.prompt_style, r.options.layout);
  const cells = layout && layoutCellCount(layout);
  if (layout) {
    const actions = Object.keys(layout.actions).join(', ');
    parts.push(cells !== undefined
      ? `animation, ${layout.directions.length} directions x ${layout.cellsPerDirection} frames (${cells}): ${actions}`
      : `animation: ${actions}`);
  }
  else if (r.options.animate) parts.push(r.payload.num_images > 1 ? `animation of ${r.payload.num_images} frames` : 'animation');
  else parts.push(count(r.payload.num_images, 'image'));
  if (r.payload.tile_x || r.payload.tile_y) parts.push('tiling');
  if (r.payload.input_image) parts.push('img2img');
  return parts.join(', ');
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const checkCommand: Command = {
  usage: ['options:', '  --allow-unknown-styles  accept prompt_style names the catalog does not know yet'].join('\n'),
  options: { 'allow-unknown-styles': { type: 'boolean' } },
  async run(ctx: CommandContext): Promise<number> {
    const { io } = ctx;
    const root = path.resolve(ctx.cwd, stringValue(ctx.values, 'root') ?? '.');
    const manifests = stringValue(ctx.values, 'manifests');
    const cache = stringValue(ctx.values, 'cache');
    const provider = providerIdentity(stringValue(ctx.values, 'provider'), ctx.env);
    // Throws ManifestError with every error of the run; main prints them as file:line:col.
    const plan = await loadManifests({
      root,
      manifests,
      allowUnknownStyles: ctx.values['allow-unknown-styles'] === true,
      ignore: cache ? [path.posix.join(path.relative(root, path.resolve(root, cache)).split(path.sep).join('/'), '**')] : [],
    });
    if (plan.files.length === 0) {
      io.err(`retro-sprites: no manifest matches ${manifests ?? 'manifests/**/*.{yaml,yml}'} under ${root}; nothing to check.`);
      return 1;
    }
    for (const line of formatPlan(plan, provider)) io.out(line);
    for (const w of plan.warnings) io.err(formatDiagnostic(w, root, 'cli'));
    const images = plan.requests.reduce((n, r) => n + r.payload.num_images, 0);
    const warnings = plan.warnings.length ? `, ${count(plan.warnings.length, 'warning')}` : '';
    io.out(`ok: ${count(plan.files.length, 'manifest')}, ${count(plan.atlases.length, 'atlas')}`.replace('atlass', 'atlases')
      + `, ${count(plan.requests.length, 'sprite')}, ${count(images, 'image')}${warnings}; keys for provider ${provider.id} ${provider.version}`);
    return 0;
  },
};
