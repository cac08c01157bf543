import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_VERSION, renderPlaceholder } from '../../../../plugin/core/providers/placeholder/index.js';
import { decodePng } from '../../../../plugin/core/image/png.js';
import type { GeneratedImage } from '../../../../plugin/core/providers/provider.js';
import { CASES } from './cases.js';
import { sha256 } from './decode.js';
import { GOLDEN, GOLDEN_VERSION } from './goldens.js';

/**
 * The placeholder's bytes are part of every user's committed cache: if they change while
 * PLACEHOLDER_VERSION stays, caches hold art the code no longer draws. These hashes pin the bytes
 * (and prove no Math.random, clock or locale sneaks in across machines and Node versions).
 * After an intended change: bump PLACEHOLDER_VERSION, then UPDATE_PLACEHOLDER_GOLDENS=1 to rewrite.
 *
 * PNGs are pinned by their decoded pixels: the deflate stream comes from the zlib Node links, whose
 * match finder may differ between builds and CPUs, while the pixels are all ours. GIFs are pinned
 * byte for byte (gifenc's LZW is plain JavaScript).
 */
function fingerprint(image: GeneratedImage): string {
  if (image.format === 'gif') return `gif:${sha256(image.bytes)}`;
  const img = decodePng(image.bytes);
  return `png:${img.width}x${img.height}:${sha256(img.data)}`;
}

describe('golden hashes of the placeholder art', () => {
  const actual = Object.fromEntries(Object.entries(CASES).map(([name, p]) => [name, renderPlaceholder(p).map(fingerprint)]));

  if (process.env.UPDATE_PLACEHOLDER_GOLDENS) {
    const file = fileURLToPath(new URL('./goldens.ts', import.meta.url));
    writeFileSync(
      file,
      `// Written by golden.test.ts with UPDATE_PLACEHOLDER_GOLDENS=1. Do not edit by hand.\n` +
        `export const GOLDEN_VERSION = ${JSON.stringify(PLACEHOLDER_VERSION)};\n` +
        `export const GOLDEN: Record<string, string[]> = ${JSON.stringify(actual, null, 2)};\n`,
    );
  }

  it('was recorded for the current PLACEHOLDER_VERSION', () => {
    expect(GOLDEN_VERSION).toBe(PLACEHOLDER_VERSION);
  });

  for (const name of Object.keys(CASES)) {
    it(`draws "${name}" exactly as recorded (changed art must bump PLACEHOLDER_VERSION)`, () => {
      expect(actual[name]).toEqual(GOLDEN[name]);
    });
  }
});
