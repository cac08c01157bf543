import { shortKey } from '../cache-key.js';
import { RetroSpritesError, userMessage, type Face } from '../errors.js';
import { formatLocation } from '../location.js';
import type { KeyedRequest } from '../request.js';
import { formatCost, type CostTotals } from './cost.js';

function where(r: KeyedRequest, root: string): string {
  return `${formatLocation(r.source, root)}: ${r.atlas}/${r.sprite}`;
}

/** Frozen mode met a sprite that is not in the cache: nothing was requested. */
export class FrozenCacheError extends RetroSpritesError {
  readonly missing: KeyedRequest[];
  constructor(missing: KeyedRequest[], root: string) {
    const lines = missing.map((r) => `  ${where(r, root)} (key ${shortKey(r.key)})`);
    super(
      'frozen-miss',
      `the cache is frozen and ${missing.length} sprite${missing.length === 1 ? ' is' : 's are'} not in it:\n${lines.join('\n')}\n` +
        'Generate them where spending is allowed (`RD_API_KEY=… npx retro-sprites generate`) and commit the cache folder,',
      {
        advice: {
          vite: 'or set the plugin option `frozen: false` (CI freezes the cache by default when the provider is retrodiffusion).',
          cli: 'or run without --frozen (CI freezes the cache by default when the provider is retrodiffusion).',
        },
      },
    );
    this.name = 'FrozenCacheError';
    this.missing = missing;
  }
}

/** The estimated cost of a run is over `maxCost`: stopped before the first request. */
export class BudgetError extends RetroSpritesError {
  constructor(estimate: CostTotals, maxCost: number, toGenerate: number) {
    super(
      'over-budget',
      `generating ${toGenerate} sprite${toGenerate === 1 ? '' : 's'} is estimated at ${formatCost(estimate)}, over the budget of ${maxCost}. Nothing was requested.`,
      { advice: { vite: 'Raise the plugin option `maxCost` or generate fewer sprites.', cli: 'Raise --max-cost or generate fewer sprites.' } },
    );
    this.name = 'BudgetError';
  }
}

/** One sprite that could not be generated, and why. */
export interface SpriteFailure {
  request: KeyedRequest;
  error: Error;
}

/** Some sprites failed; everything that succeeded is in the cache already. */
export class GenerationFailedError extends RetroSpritesError {
  readonly failures: SpriteFailure[];
  constructor(failures: SpriteFailure[], root: string) {
    super('generation-failed', GenerationFailedError.text(failures, root));
    this.name = 'GenerationFailedError';
    this.failures = failures;
    this.root = root;
  }
  private readonly root: string;
  private static text(failures: SpriteFailure[], root: string, face?: Face): string {
    const lines = failures.map((f) => `  ${where(f.request, root)}: ${face ? userMessage(f.error, face) : f.error.message}`);
    return `${failures.length} sprite${failures.length === 1 ? '' : 's'} failed (every other result is saved in the cache; the next run requests only what is missing):\n${lines.join('\n')}`;
  }
  override messageFor(face: Face): string {
    return GenerationFailedError.text(this.failures, this.root, face);
  }
}
