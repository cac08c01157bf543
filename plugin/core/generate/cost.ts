import type { Cost, CostUnit } from '../providers/provider.js';

/** Costs summed per unit: an account pays in credits (seed) or USD (newer API), never both at once. */
export type CostTotals = Partial<Record<CostUnit, number>>;

export function addCost(totals: CostTotals, cost: Cost): CostTotals {
  return { ...totals, [cost.unit]: round((totals[cost.unit] ?? 0) + cost.amount) };
}

export function sumCosts(costs: Iterable<Cost>): CostTotals {
  let t: CostTotals = {};
  for (const c of costs) t = addCost(t, c);
  return t;
}

/** The largest amount in any unit: what a `maxCost` budget is compared against. */
export function costAmount(t: CostTotals): number {
  return Math.max(0, ...Object.values(t).map((v) => v ?? 0));
}

export function formatCost(t: CostTotals): string {
  const parts: string[] = [];
  if (t.credits !== undefined) parts.push(`${t.credits} credit${t.credits === 1 ? '' : 's'}`);
  if (t.usd !== undefined) parts.push(`$${t.usd.toFixed(3)}`);
  return parts.length ? parts.join(' + ') : '0 credits';
}

// Float sums of prices like 0.015 drift; keep six decimals, enough for any price list.
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
