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
  const scaled = n * 1e6;
  // Past 2^53 there are no decimals left to round, and scaling could overflow to Infinity.
  return Number.isFinite(scaled) && Math.abs(scaled) < Number.MAX_SAFE_INTEGER ? Math.round(scaled) / 1e6 : n;
}

/**
 * Whether a provider's price is a price: a finite amount of 0 or more. Checked for every estimate
 * and every answer, whatever the provider: a negative or NaN price would slip past maxCost.
 */
export function isValidCost(c: unknown): c is Cost {
  if (!c || typeof c !== 'object') return false;
  const { amount, unit } = c as Cost;
  return typeof amount === 'number' && Number.isFinite(amount) && amount >= 0 && (unit === 'credits' || unit === 'usd');
}
