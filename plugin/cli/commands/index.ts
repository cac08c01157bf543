import type { CommandEntry } from '../command.js';

/**
 * Every command of the `retro-sprites` bin, in the order `help` lists them. A command's module (and
 * all it imports) is loaded only when that command runs: a start pays for one command, not eight.
 */
export const COMMANDS: CommandEntry[] = [
  { name: 'check', summary: 'validate every manifest and print the plan (atlases, sprites, keys), generating nothing', load: async () => (await import('./check.js')).checkCommand },
  { name: 'generate', summary: 'generate every sprite that is not cached yet (and, with --out, write the Phaser files)', load: async () => (await import('./generate.js')).generateCommand },
  { name: 'credits', summary: 'print what the RetroDiffusion account has left (needs RD_API_KEY; RD_API_URL for the emulator)', load: async () => (await import('./credits.js')).creditsCommand },
  { name: 'variants', summary: 'generate a few candidates of one sprite (each its own seed) and write a contact sheet to pick from', load: async () => (await import('./variants.js')).variantsCommand },
  { name: 'types', summary: 'write the typed declarations of virtual:retro-sprites (what the plugin writes), without Vite', load: async () => (await import('./types.js')).typesCommand },
  { name: 'prune', summary: 'remove cache entries that no manifest references any more', load: async () => (await import('./prune.js')).pruneCommand },
  { name: 'cache', summary: 'move cache entries between the local cache folder and the remote cache: push | pull | status', load: async () => (await import('./cache.js')).cacheCommand },
  { name: 'emulate', summary: 'run a local emulator of the RetroDiffusion API (for offline builds and tests)', load: async () => (await import('./emulate.js')).emulateCommand },
];
