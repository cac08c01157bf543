import { renderPlaceholder } from '../../plugin/core/providers/placeholder/index.js';
import type { Cost, GenerationResult, Provider } from '../../plugin/core/providers/provider.js';
import type { ApiPayload } from '../../plugin/core/payload.js';

/**
 * A provider for engine tests: draws with the placeholder, charges `cost` per request, counts
 * calls, and fails for prompts that `failFor` matches.
 */
export function countingProvider(opts: { cost?: number; estimate?: number; failFor?: RegExp; delayMs?: number } = {}) {
  const calls: ApiPayload[] = [];
  const estimates: ApiPayload[] = [];
  const provider: Provider & { calls: ApiPayload[]; estimates: ApiPayload[] } = {
    id: 'counting',
    version: '1',
    calls,
    estimates,
    async estimateCost(payload): Promise<Cost> {
      estimates.push(payload);
      return { amount: opts.estimate ?? opts.cost ?? 1, unit: 'credits' };
    },
    async generate(payload): Promise<GenerationResult> {
      calls.push(payload);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (opts.failFor?.test(payload.prompt)) throw new Error(`the provider refused "${payload.prompt}"`);
      return { images: renderPlaceholder(payload), cost: { amount: opts.cost ?? 1, unit: 'credits' }, createdAt: 1_700_000_000 };
    },
  };
  return provider;
}
