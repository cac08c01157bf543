/**
 * Code-point order: the same on every machine and locale, so sorted names never change a byte of
 * an emitted file (`localeCompare` depends on the ICU data Node was built with).
 */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
