import type { MaxRectsPacker as Packer } from 'maxrects-packer';
import { describe, expect, it } from 'vitest';
import { packRects, type PackResult } from '../../../plugin/core/image/pack.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Pixel-art frame sizes 8..128, a tenth of them repeated, as trimming leaves them. */
function frameSizes(n: number, seed: number): { w: number; h: number }[] {
  const r = seeded(seed);
  const out: { w: number; h: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && r() < 0.1) { out.push({ ...out[Math.floor(r() * out.length)]! }); continue; }
    out.push({ w: 8 + Math.floor(r() * 121), h: 8 + Math.floor(r() * 121) });
  }
  return out;
}

/** Every rectangle inside its page, at its own size, and at least `padding` away from every other. */
function checkLayout(sizes: { w: number; h: number }[], result: PackResult, padding: number, max: number): void {
  const seen = new Set<number>();
  for (const page of result.pages) {
    expect(page.width).toBeLessThanOrEqual(max);
    expect(page.height).toBeLessThanOrEqual(max);
    for (const r of page.rects) {
      seen.add(r.index);
      expect({ w: r.w, h: r.h }).toEqual(sizes[r.index]);
      expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= page.width && r.y + r.h <= page.height).toBe(true);
    }
    for (let i = 0; i < page.rects.length; i++) {
      for (let j = i + 1; j < page.rects.length; j++) {
        const a = page.rects[i]!;
        const b = page.rects[j]!;
        const apart = a.x + a.w + padding <= b.x || b.x + b.w + padding <= a.x || a.y + a.h + padding <= b.y || b.y + b.h + padding <= a.y;
        expect(apart, `rects ${a.index} and ${b.index}`).toBe(true);
      }
    }
  }
  expect(seen.size).toBe(sizes.length);
}

// The package says `type: module` but its `main` is a UMD script, which exports nothing under ESM:
// load its real ES build instead.
const { MaxRectsPacker } = (await import('maxrects-packer/dist/maxrects-packer.mjs' as string)) as { MaxRectsPacker: typeof Packer };

describe('packing frames into pages', () => {
  it('places every rectangle once, inside the page, padding apart', () => {
    const sizes = frameSizes(150, 7);
    const result = packRects(sizes, { padding: 2 });
    expect(result.pages).toHaveLength(1);
    checkLayout(sizes, result, 2, 2048);
  });

  it('opens more pages when one is not enough, and each stays within the maximum', () => {
    const sizes = frameSizes(120, 3);
    const result = packRects(sizes, { padding: 2, maxWidth: 256, maxHeight: 256 });
    expect(result.pages.length).toBeGreaterThan(1);
    checkLayout(sizes, result, 2, 256);
  });

  it('rounds pages up to powers of two when asked', () => {
    const result = packRects(frameSizes(40, 5), { padding: 1, pot: true });
    for (const p of result.pages) {
      expect(Number.isInteger(Math.log2(p.width)) && Number.isInteger(Math.log2(p.height))).toBe(true);
    }
  });

  it('keeps power-of-two pages within a maximum that is not a power of two', () => {
    const sizes = frameSizes(60, 7);
    const result = packRects(sizes, { padding: 1, pot: true, maxWidth: 300, maxHeight: 300 });
    for (const p of result.pages) expect([p.width <= 256, p.height <= 256]).toEqual([true, true]);
    checkLayout(sizes, result, 1, 256);
  });

  it('refuses a frame larger than a page, saying how to fix it', () => {
    expect(() => packRects([{ w: 300, h: 10 }], { maxWidth: 256, maxHeight: 256 })).toThrow(/does not fit a 256x256 page/);
  });

  it('gives the same layout every time', () => {
    const sizes = frameSizes(80, 11);
    expect(packRects(sizes, { padding: 2 })).toEqual(packRects(sizes, { padding: 2 }));
  });

  it('wastes less space than maxrects-packer on the same frames', () => {
    for (const seed of [1, 2]) {
      const sizes = frameSizes(200, seed);
      const ours = packRects(sizes, { padding: 2 });
      const theirs = new MaxRectsPacker(2048, 2048, 2, { smart: true, pot: false, square: false, allowRotation: false });
      theirs.addArray(sizes.map((s) => ({ width: s.w, height: s.h })));
      const used = sizes.reduce((n, s) => n + s.w * s.h, 0);
      const theirOccupancy = used / theirs.bins.reduce((n, b) => n + b.width * b.height, 0);
      expect(ours.pages.length).toBeLessThanOrEqual(theirs.bins.length);
      expect(ours.occupancy).toBeGreaterThan(theirOccupancy);
    }
  });
});
