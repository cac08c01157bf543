import { createRequire } from 'node:module';

/**
 * This package's version, part of the key of everything it keeps that its own code derived (parses
 * turned into requests, kept builds): another version may derive otherwise. Its package.json is
 * one folder up from source and two from dist (and from the CLI bundle).
 */
export const PLUGIN_VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'vite-plugin-retro-sprites') return pkg.version ?? '';
    } catch {}
  }
  return '';
})();
