/**
 * One goal of issue 20's table, as the bench checks it: what was measured, the bound, their ratio.
 * `ratio` is measured / bound, so ≤ 1 is met whatever the goal's unit.
 */
export function goal(name, { measured, bound, unit, text }) {
  const ratio = measured / bound;
  return { name, text, measured, bound, unit, ratio, met: ratio <= 1 };
}
