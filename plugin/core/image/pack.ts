import { RetroSpritesError } from '../errors.js';

/**
 * MaxRects bin packing (Jukka Jylänki, "A Thousand Ways to Pack the Bin"), our own, because the
 * result decides how big the textures of every game are: several placement heuristics and several
 * orderings are all tried and the best layout kept (fewest pages, then the least page area), and the
 * last page is repacked into the smallest bin that still holds its rectangles.
 */

export type PackHeuristic = 'best-short-side' | 'best-long-side' | 'best-area' | 'bottom-left' | 'contact-point';
export type PackOrder = 'area' | 'max-side' | 'height' | 'width' | 'perimeter';

export const PACK_HEURISTICS: readonly PackHeuristic[] = ['best-short-side', 'best-long-side', 'best-area', 'bottom-left', 'contact-point'];
export const PACK_ORDERS: readonly PackOrder[] = ['area', 'max-side', 'height', 'width', 'perimeter'];

export interface PackOptions {
  /** Largest page width (default 2048). */
  maxWidth?: number;
  /** Largest page height (default 2048). */
  maxHeight?: number;
  /** Empty pixels between two rectangles (default 0). Not added at the page edges. */
  padding?: number;
  /** Round page sizes up to powers of two. */
  pot?: boolean;
  /** Restrict the search (for tests and benchmarks); defaults to every heuristic and order. */
  heuristics?: readonly PackHeuristic[];
  orders?: readonly PackOrder[];
}

export interface PackedRect {
  /** Index into the input sizes. */
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PackedPage {
  width: number;
  height: number;
  rects: PackedRect[];
}

export interface PackResult {
  pages: PackedPage[];
  /** Sum of the rectangles' areas over the sum of the pages' areas, 0..1. */
  occupancy: number;
}

interface Rect { x: number; y: number; w: number; h: number }

/** Packs rectangles into as few, as small pages as we can find. Pure and deterministic. */
export function packRects(sizes: readonly { w: number; h: number }[], opts: PackOptions = {}): PackResult {
  const maxW = opts.maxWidth ?? 2048;
  const maxH = opts.maxHeight ?? 2048;
  const pad = opts.padding ?? 0;
  const pot = opts.pot ?? false;
  const heuristics = opts.heuristics ?? PACK_HEURISTICS;
  const orders = opts.orders ?? PACK_ORDERS;
  if (sizes.length === 0) return { pages: [], occupancy: 1 };
  for (const [i, s] of sizes.entries()) {
    if (!(s.w > 0 && s.h > 0 && s.w <= maxW && s.h <= maxH)) {
      throw new RetroSpritesError(
        'frame-too-large',
        `frame ${i} is ${s.w}x${s.h}; it does not fit a ${maxW}x${maxH} page (raise the atlas max size)`,
      );
    }
  }
  // Padding is given to every rectangle on its right and bottom, and to the bin likewise, so the
  // rectangles at the page's right and bottom edges do not waste it.
  const items = sizes.map((s, index) => ({ index, w: s.w + pad, h: s.h + pad }));
  const contactOk = items.length <= 600;

  let best: { pages: PackedPage[]; area: number } | undefined;
  for (const order of orders) {
    const sorted = sortItems(items, order);
    for (const heuristic of heuristics) {
      if (heuristic === 'contact-point' && !contactOk) continue;
      const pages = packPages(sorted, maxW + pad, maxH + pad, heuristic);
      const area = pages.reduce((n, p) => n + pageArea(p, pad, pot), 0);
      if (!best || pages.length < best.pages.length || (pages.length === best.pages.length && area < best.area)) {
        best = { pages, area };
      }
    }
  }

  // Every page but the last is as full as MaxRects got it; the last usually has room to spare, so
  // search for the smallest bin that still holds its rectangles.
  const pages = best!.pages;
  const last = pages[pages.length - 1]!;
  const shrunk = shrinkPage(last, items, maxW, maxH, pad, pot, heuristics.filter((h) => h !== 'contact-point' || contactOk), orders);
  if (shrunk) pages[pages.length - 1] = shrunk;

  const out: PackedPage[] = pages.map((p) => finishPage(p, pad, pot));
  const used = sizes.reduce((n, s) => n + s.w * s.h, 0);
  const total = out.reduce((n, p) => n + p.width * p.height, 0);
  return { pages: out, occupancy: used / total };
}

function finishPage(page: PackedPage, pad: number, pot: boolean): PackedPage {
  const rects = page.rects.map((r) => ({ index: r.index, x: r.x, y: r.y, w: r.w - pad, h: r.h - pad })).sort((a, b) => a.index - b.index);
  let w = 0;
  let h = 0;
  for (const r of rects) {
    w = Math.max(w, r.x + r.w);
    h = Math.max(h, r.y + r.h);
  }
  return { width: pot ? nextPow2(w) : w, height: pot ? nextPow2(h) : h, rects };
}

function pageArea(page: PackedPage, pad: number, pot: boolean): number {
  let w = 0;
  let h = 0;
  for (const r of page.rects) {
    w = Math.max(w, r.x + r.w - pad);
    h = Math.max(h, r.y + r.h - pad);
  }
  return pot ? nextPow2(w) * nextPow2(h) : w * h;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

interface Item { index: number; w: number; h: number }

function sortItems(items: Item[], order: PackOrder): Item[] {
  const key = (r: Item): [number, number] => {
    switch (order) {
      case 'area': return [r.w * r.h, Math.max(r.w, r.h)];
      case 'max-side': return [Math.max(r.w, r.h), Math.min(r.w, r.h)];
      case 'height': return [r.h, r.w];
      case 'width': return [r.w, r.h];
      case 'perimeter': return [r.w + r.h, r.w * r.h];
    }
  };
  return items
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => b.k[0] - a.k[0] || b.k[1] - a.k[1] || a.r.index - b.r.index)
    .map((e) => e.r);
}

function packPages(sorted: Item[], binW: number, binH: number, heuristic: PackHeuristic): PackedPage[] {
  const pages: PackedPage[] = [];
  let remaining = sorted;
  while (remaining.length > 0) {
    const bin = new MaxRectsBin(binW, binH);
    const left: Item[] = [];
    const rects: PackedRect[] = [];
    for (const item of remaining) {
      const at = bin.insert(item.w, item.h, heuristic);
      if (at) rects.push({ index: item.index, x: at.x, y: at.y, w: item.w, h: item.h });
      else left.push(item);
    }
    pages.push({ width: binW, height: binH, rects });
    remaining = left;
  }
  return pages;
}

/** Tries bins of several aspect ratios around the rectangles' total area; the smallest that holds all wins. */
function shrinkPage(
  page: PackedPage,
  items: Item[],
  maxW: number,
  maxH: number,
  pad: number,
  pot: boolean,
  heuristics: readonly PackHeuristic[],
  orders: readonly PackOrder[],
): PackedPage | undefined {
  const mine = page.rects.map((r) => items[r.index]!);
  const area = mine.reduce((n, r) => n + r.w * r.h, 0);
  const widest = Math.max(...mine.map((r) => r.w));
  const tallest = Math.max(...mine.map((r) => r.h));
  const side = Math.sqrt(area);
  const limits = new Set<string>();
  for (const f of [0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5, 1.75, 2]) {
    const w = Math.round(side * f);
    if (w >= widest && w <= maxW + pad) limits.add(`w${w}`);
    if (w >= tallest && w <= maxH + pad) limits.add(`h${w}`);
  }
  if (pot) {
    for (let p = 1; p <= Math.max(maxW, maxH) * 2; p *= 2) {
      if (p + pad >= widest && p <= maxW) limits.add(`w${p + pad}`);
      if (p + pad >= tallest && p <= maxH) limits.add(`h${p + pad}`);
    }
  }
  let best = page;
  let bestArea = pageArea(page, pad, pot);
  const sortedByOrder = orders.map((o) => sortItems(mine, o));
  for (const limit of [...limits].sort()) {
    const n = Number(limit.slice(1));
    const binW = limit[0] === 'w' ? n : maxW + pad;
    const binH = limit[0] === 'h' ? n : maxH + pad;
    for (const sorted of sortedByOrder) {
      for (const heuristic of heuristics) {
        const bin = new MaxRectsBin(binW, binH);
        const rects: PackedRect[] = [];
        let ok = true;
        for (const item of sorted) {
          const at = bin.insert(item.w, item.h, heuristic);
          if (!at) { ok = false; break; }
          rects.push({ index: item.index, x: at.x, y: at.y, w: item.w, h: item.h });
        }
        if (!ok) continue;
        const candidate = { width: binW, height: binH, rects };
        const a = pageArea(candidate, pad, pot);
        if (a < bestArea) {
          best = candidate;
          bestArea = a;
        }
      }
    }
  }
  return best === page ? undefined : best;
}

/** One bin's free space as the set of maximal free rectangles. */
export class MaxRectsBin {
  private free: Rect[];
  private used: Rect[] = [];

  constructor(readonly width: number, readonly height: number) {
    this.free = [{ x: 0, y: 0, w: width, h: height }];
  }

  insert(w: number, h: number, heuristic: PackHeuristic): { x: number; y: number } | undefined {
    let best: Rect | undefined;
    let s1 = Infinity;
    let s2 = Infinity;
    for (const f of this.free) {
      if (f.w < w || f.h < h) continue;
      let a: number;
      let b: number;
      switch (heuristic) {
        case 'best-short-side': {
          const dw = f.w - w;
          const dh = f.h - h;
          a = Math.min(dw, dh);
          b = Math.max(dw, dh);
          break;
        }
        case 'best-long-side': {
          const dw = f.w - w;
          const dh = f.h - h;
          a = Math.max(dw, dh);
          b = Math.min(dw, dh);
          break;
        }
        case 'best-area':
          a = f.w * f.h - w * h;
          b = Math.min(f.w - w, f.h - h);
          break;
        case 'bottom-left':
          a = f.y + h;
          b = f.x;
          break;
        case 'contact-point':
          a = -this.contact(f.x, f.y, w, h);
          b = f.y + h;
          break;
      }
      if (a < s1 || (a === s1 && b < s2)) {
        s1 = a;
        s2 = b;
        best = f;
      }
    }
    if (!best) return undefined;
    this.place({ x: best.x, y: best.y, w, h });
    return { x: best.x, y: best.y };
  }

  private contact(x: number, y: number, w: number, h: number): number {
    let score = 0;
    if (x === 0 || x + w === this.width) score += h;
    if (y === 0 || y + h === this.height) score += w;
    for (const u of this.used) {
      if (u.x === x + w || u.x + u.w === x) score += overlap(u.y, u.y + u.h, y, y + h);
      if (u.y === y + h || u.y + u.h === y) score += overlap(u.x, u.x + u.w, x, x + w);
    }
    return score;
  }

  private place(r: Rect): void {
    const fresh: Rect[] = [];
    const kept: Rect[] = [];
    for (const f of this.free) {
      if (r.x >= f.x + f.w || r.x + r.w <= f.x || r.y >= f.y + f.h || r.y + r.h <= f.y) {
        kept.push(f);
        continue;
      }
      if (r.x > f.x) fresh.push({ x: f.x, y: f.y, w: r.x - f.x, h: f.h });
      if (r.x + r.w < f.x + f.w) fresh.push({ x: r.x + r.w, y: f.y, w: f.x + f.w - r.x - r.w, h: f.h });
      if (r.y > f.y) fresh.push({ x: f.x, y: f.y, w: f.w, h: r.y - f.y });
      if (r.y + r.h < f.y + f.h) fresh.push({ x: f.x, y: r.y + r.h, w: f.w, h: f.y + f.h - r.y - r.h });
    }
    // Kept rectangles were maximal before, so none of them lies inside a new piece; only the new
    // pieces need checking, against the kept ones and each other.
    const survivors: Rect[] = [];
    outer: for (let i = 0; i < fresh.length; i++) {
      const n = fresh[i]!;
      for (const k of kept) if (contains(k, n)) continue outer;
      for (let j = 0; j < fresh.length; j++) {
        if (i === j) continue;
        const o = fresh[j]!;
        // Equal pieces: keep the first only.
        if (contains(o, n) && (!contains(n, o) || j < i)) continue outer;
      }
      survivors.push(n);
    }
    this.free = kept.concat(survivors);
    this.used.push(r);
  }
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return a1 < b0 || b1 < a0 ? 0 : Math.min(a1, b1) - Math.max(a0, b0);
}
