import type { CacheEntry } from '../cache/store.js';
import type { KeyedRequest } from '../request.js';
import { formatCost, type CostTotals } from './cost.js';

export interface RunPlanSummary {
  sprites: number;
  cached: number;
  toGenerate: number;
  /** Absent when the run was told not to ask prices first (no budget to keep). */
  estimate?: CostTotals;
}

export interface RunSummary extends RunPlanSummary {
  generated: number;
  failed: number;
  /** Not attempted: budget reached, interrupted, or frozen. */
  skipped: number;
  spent: CostTotals;
  durationMs: number;
}

/**
 * What a generation run tells its face (the CLI's terminal, Vite's logger, the dev page).
 * Every method is optional so a face listens only to what it shows.
 */
export interface ProgressReporter {
  plan?(summary: RunPlanSummary): void;
  warn?(message: string): void;
  start?(request: KeyedRequest): void;
  cached?(request: KeyedRequest): void;
  done?(request: KeyedRequest, info: { ms: number; cost: CostTotals; entry: CacheEntry }): void;
  failed?(request: KeyedRequest, error: Error): void;
  finish?(summary: RunSummary): void;
}

/** `42 sprites, 40 cached, 2 generated in 3.1s, cost 2 credits`: the one line every face ends a run with. */
export function formatSummary(s: RunSummary): string {
  const parts = [`${s.sprites} sprite${s.sprites === 1 ? '' : 's'}`, `${s.cached} cached`, `${s.generated} generated`];
  if (s.failed) parts.push(`${s.failed} failed`);
  return `${parts.join(', ')} in ${(s.durationMs / 1000).toFixed(1)}s, cost ${formatCost(s.spent)}`;
}
