/** Where the user is: the Vite plugin (they set options) or the CLI (they type flags). */
export type Face = 'vite' | 'cli';

/**
 * What to do about a problem, in each face's words: `set the plugin option frozen: false` in Vite,
 * `run without --frozen` in the CLI. Without a face (a library caller), both are given.
 */
export interface Advice {
  vite: string;
  cli: string;
}

export function adviceText(advice: Advice, face?: Face): string {
  return face ? advice[face] : `${advice.vite} (in the CLI: ${advice.cli})`;
}
