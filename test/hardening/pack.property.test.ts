import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetroSpritesError } from '../../plugin/core/errors.js';
import { packRects, type PackOptions, type PackResult } from '../../plugin/core/image/pack.js';
import './seeded.js';

type Size = { w: number; h: number };

/** Checks a packing the way a texture would break: overlaps (padding included), rects off the page, lost or doubled frames. */
function expectSoundPacking(sizes: Size[], opts: Required<Pick<PackOptions, 'maxWidth' | 'maxHeight' | 'padding'>>, result: PackResult): void {
  const seen = new Map<number, number>();
  for (const page of result.pages) {
    expect(page.width).toBeLessThanOrEqual(opts.maxWidth);
    expect(page.height).toBeLessThanOrEqual(opts.maxHeight);
    for (const r of page.rects) {
      seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
      expect({ w: r.w, h: r.h }).toEqual(sizes[r.index]);
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.x + r.w).toBeLessThanOrEqual(page.width);
      expect(r.y + r.h).toBeLessThanOrEqual(page.height);
    }
    // Grown by the padding on the right and bottom, no two rects may touch another's pixels.
    const rects = page.rects;
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!;
        const b = rects[j]!;
        const apart = a.x + a.w + opts.padding <= b.x || b.x + b.w + opts.padding <= a.x
          || a.y + a.h + opts.padding <= b.y || b.y + b.h + opts.padding <= a.y;
        expect(apart, `frames ${a.index} and ${b.index} overlap or sit closer than the padding`).toBe(true);
      }
    }
  }
  expect([...seen.keys()].sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(result.occupancy).toBeGreaterThan(0);
  expect(result.occupancy).toBeLessThanOrEqual(1);
}

const sizeArb = (max: number) => fc.record({ w: fc.integer({ min: 1, max }), h: fc.integer({ min: 1, max }) });

describe('the packer over random sizes', () => {
  it('places every frame exactly once, on a page, apart by the padding, or refuses a frame larger than the page', () => {
    fc.assert(
      fc.property(
        fc.array(sizeArb(160), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 16, max: 256 }),
        fc.integer({ min: 16, max: 256 }),
        fc.integer({ min: 0, max: 4 }),
        (sizes, maxWidth, maxHeight, padding) => {
          const opts = { maxWidth, maxHeight, padding };
          const tooBig = sizes.findIndex((s) => s.w > maxWidth || s.h > maxHeight);
          if (tooBig >= 0) {
            expect(() => packRects(sizes, opts)).toThrow(RetroSpritesError);
            expect(() => packRects(sizes, opts)).toThrow(new RegExp(`^frame ${tooBig} is ${sizes[tooBig]!.w}x${sizes[tooBig]!.h}; it does not fit`));
            return;
          }
          expectSoundPacking(sizes, opts, packRects(sizes, opts));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('with power-of-two pages, every page is a power of two and still holds its frames', () => {
    fc.assert(
      fc.property(
        fc.array(sizeArb(64), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(64, 128, 256),
        fc.integer({ min: 0, max: 3 }),
        (sizes, max, padding) => {
          const opts = { maxWidth: max, maxHeight: max, padding };
          const result = packRects(sizes, { ...opts, pot: true });
          expectSoundPacking(sizes, opts, result);
          for (const p of result.pages) {
            expect(Number.isInteger(Math.log2(p.width)) && Number.isInteger(Math.log2(p.height))).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is deterministic: the same sizes give the same pages', () => {
    fc.assert(
      fc.property(fc.array(sizeArb(100), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2 }), (sizes, padding) => {
        expect(packRects(sizes, { maxWidth: 256, maxHeight: 256, padding })).toEqual(packRects(sizes, { maxWidth: 256, maxHeight: 256, padding }));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses empty and non-finite sizes with a clear error rather than looping or placing them', () => {
    for (const bad of [{ w: 0, h: 4 }, { w: 4, h: -1 }, { w: Number.NaN, h: 4 }, { w: Infinity, h: 4 }]) {
      expect(() => packRects([{ w: 2, h: 2 }, bad], { maxWidth: 64, maxHeight: 64 })).toThrow(/^frame 1 is .*; it does not fit a 64x64 page/);
    }
  });
});
