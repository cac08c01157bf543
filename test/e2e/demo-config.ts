import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';
import retroSprites from '../../plugin/index.js';
import { phaserAlias, type PhaserMajor } from './phaser-majors.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Pages of at most 128x128: the demo's 48 walking frames then fill two pages (a multiatlas) while
 * its other atlases keep to one page (JSON Hash), so one build holds both kinds.
 */
export const SMALL_PAGES = 128;

/**
 * The demo game as vite.config.ts makes it (demo-game/ with the manifests at `manifestRoot`), on one
 * Phaser major, with small atlas pages. No d.ts is written: the committed one stays as it is.
 */
export function demoConfig(major: PhaserMajor, manifestRoot: string, extra: InlineConfig = {}): InlineConfig {
  return {
    ...extra,
    configFile: false,
    root: join(REPO, 'demo-game'),
    resolve: { alias: phaserAlias(major) },
    plugins: [retroSprites({ root: manifestRoot, dts: false, maxSize: SMALL_PAGES })],
  };
}
