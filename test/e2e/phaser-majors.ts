import type { AliasOptions } from 'vite';

/**
 * The Phaser majors the runtime and every emitted format must work on (README: 3.90 – 4.x). The
 * workspace installs Phaser 4 as `phaser` and Phaser 3.90 as `phaser3` (an aliased dev dependency);
 * a game built for one of them imports plain `phaser`, so a test points that name at the install.
 */
export const PHASER_MAJORS = [
  { name: 'Phaser 4', pkg: 'phaser', version: /^4\./ },
  { name: 'Phaser 3.90', pkg: 'phaser3', version: /^3\.90\./ },
] as const;

export type PhaserMajor = (typeof PHASER_MAJORS)[number];

/** `import … from 'phaser'` (and only that exact name) resolves to this major's install. */
export function phaserAlias(major: PhaserMajor): AliasOptions {
  return major.pkg === 'phaser' ? [] : [{ find: /^phaser$/, replacement: major.pkg }];
}
