import { RetroSpritesError } from '../errors.js';

/**
 * MaxRects bin packing (Jukka Jylänki, "A Thousand Ways to Pack the Bin"), our own, because the
 * result decides how big the textures of every game are: several placement heuristics and
 * orderings are tried and the best layout kept (fewest pages, then the least page area), and the
 * last page is repacked into the smallest bin that still holds its rectangles.
 */

export type PackHeuristic = 'best-short-side' | 'best-long-side' | 'best-area' | 'bottom-left' | 'contact-point';
export type PackOrder = 'area' | 'max-side' | 'height' | 'width' | 'perimeter';

export const PACK_HEURISTICS: readonly PackHeuristic[] = ['best-short-side', 'best-long-side', 'best-area', 'bottom-left', 'contact-point'];
export const PACK_ORDERS: readonly PackOrder[] = ['area', 'max-side', 'height', 'width', 'perimeter'];

interface Combo { order: PackOrder; heuristic: PackHeuristic }

/**
 * The default search, strongest first. On the bench's pixel-art frame sets the full 5×5 search
 * gained at most a third of a percent of occupancy over these few, for 20 to 130 times the time:
 * "tallest first, lowest spot" wins most sets, and the best-area fits win some multi-page ones.
 */
const DEFAULT_SEARCH: readonly Combo[] = [
  { order: 'height', heuristic: 'bottom-left' },
  { order: 'height', heuristic: 'best-area' },
  { order: 'width', heuristic: 'best-area' },
  { order: 'area', heuristic: 'best-short-side' },
];

export interface PackOptions {
  /** Largest page width (default 2048). */
  maxWidth?: number;
  /** Largest page height (default 2048). */
  maxHeight?: number;
  /** Empty pixels between two rectangles (default 0). Not added at the page edges. */
  padding?: number;
  /** Round page sizes up to powers of two. */
  pot?: boolean;
  /**
   * Search these heuristics × orders (for tests and benchmarks; both lists at full length is the
   * exhaustive search). Default: a short list of the combinations that win on pixel-art frames.
   */
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
  const pot = opts.pot ?? false;
  // A power-of-two page can only be as large as the largest power of two within the maximum.
  const limit = (n: number): number => (pot ? 2 ** Math.floor(Math.log2(Math.max(1, n))) : n);
  const maxW = limit(opts.maxWidth ?? 2048);
  const maxH = limit(opts.maxHeight ?? 2048);
  const pad = opts.padding ?? 0;
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
  // Contact-point scores against every placed rectangle: quadratic, so only for small sets.
  const contactOk = items.length <= 600;
  const exhaustive = Boolean(opts.heuristics || opts.orders);
  const search = (exhaustive
    ? (opts.orders ?? PACK_ORDERS).flatMap((order) => (opts.heuristics ?? PACK_HEURISTICS).map((heuristic) => ({ order, heuristic })))
    : DEFAULT_SEARCH
  ).filter((c) => c.heuristic !== 'contact-point' || contactOk);
  const sortedBy = new Map<PackOrder, Item[]>();
  const sortedFor = (order: PackOrder): Item[] => {
    let sorted = sortedBy.get(order);
    if (!sorted) sortedBy.set(order, (sorted = sortItems(items, order)));
    return sorted;
  };

  // No layout has fewer pages than the rectangles' area asks for: once one reaches that, the rest
  // could only differ on the last page, which the shrinking below searches anyway.
  const fewestPages = Math.ceil(items.reduce((n, i) => n + i.w * i.h, 0) / ((maxW + pad) * (maxH + pad)));
  let best: { pages: PackedPage[]; area: number; combo: Combo } | undefined;
  for (const combo of search) {
    // A layout with more pages than the best so far cannot win: stop it as soon as it opens one.
    const pages = packPages(sortedFor(combo.order), maxW + pad, maxH + pad, combo.heuristic, best?.pages.length);
    if (!pages) continue;
    const area = pages.reduce((n, p) => n + pageArea(p, pad, pot), 0);
    if (!best || pages.length < best.pages.length || (pages.length === best.pages.length && area < best.area)) {
      best = { pages, area, combo };
    }
    if (best.pages.length <= fewestPages && !exhaustive) break;
  }

  // Every page but the last is as full as MaxRects got it; the last usually has room to spare, so
  // search for the smallest bin that still holds its rectangles. By default with the winning
  // combination only: the others gained nothing measurable on the bench's frame sets.
  const pages = best!.pages;
  const last = pages[pages.length - 1]!;
  const shrinkSearch = exhaustive ? [best!.combo, ...search.filter((c) => c !== best!.combo)] : [best!.combo];
  const shrunk = shrinkPage(last, items, maxW, maxH, pad, pot, shrinkSearch);
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

/** Fills pages one after another; undefined as soon as it needs more than `maxPages`. */
function packPages(sorted: Item[], binW: number, binH: number, heuristic: PackHeuristic, maxPages = Infinity): PackedPage[] | undefined {
  const pages: PackedPage[] = [];
  let remaining = sorted;
  while (remaining.length > 0) {
    if (pages.length >= maxPages) return undefined;
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

/**
 * Tries bins of several aspect ratios around the rectangles' total area; the smallest layout that
 * holds all wins. A try stops as soon as it cannot beat the best: its bounding box only grows, and
 * its rectangles' area bounds how short its free side can end.
 */
function shrinkPage(
  page: PackedPage,
  items: Item[],
  maxW: number,
  maxH: number,
  pad: number,
  pot: boolean,
  search: readonly Combo[],
): PackedPage | undefined {
  const mine = page.rects.map((r) => items[r.index]!);
  const area = mine.reduce((n, r) => n + r.w * r.h, 0);
  const widest = Math.max(...mine.map((r) => r.w));
  const tallest = Math.max(...mine.map((r) => r.h));
  const side = Math.sqrt(area);
  const limits = new Map<string, number>();
  // Near-square bins first: they usually win, and an early good layout cuts the others short.
  for (const f of [1, 1.1, 0.9, 1.2, 0.8, 1.35, 0.7, 1.5, 0.6, 1.75, 2]) {
    const w = Math.round(side * f);
    if (w >= widest && w <= maxW + pad && !limits.has(`w${w}`)) limits.set(`w${w}`, w);
    if (w >= tallest && w <= maxH + pad && !limits.has(`h${w}`)) limits.set(`h${w}`, w);
  }
  if (pot) {
    for (let p = 1; p <= Math.max(maxW, maxH) * 2; p *= 2) {
      if (p + pad >= widest && p <= maxW) limits.set(`w${p + pad}`, p + pad);
      if (p + pad >= tallest && p <= maxH) limits.set(`h${p + pad}`, p + pad);
    }
  }
  const side2 = (n: number): number => (pot ? nextPow2(Math.max(0, n)) : Math.max(0, n));
  let best = page;
  let bestArea = pageArea(page, pad, pot);
  for (const combo of search) {
    const sorted = sortItems(mine, combo.order);
    for (const [limit, n] of limits) {
      // Lowest-spot placement fills full-width rows from the top, so a lower bin only cuts a
      // layout short that the full page already made: narrower bins are the ones that matter.
      if (combo.heuristic === 'bottom-left' && limit[0] === 'h') continue;
      const binW = limit[0] === 'w' ? n : maxW + pad;
      const binH = limit[0] === 'h' ? n : maxH + pad;
      // Whatever the layout, its padded box holds the padded rectangles' area.
      const minW = Math.ceil(area / binH) - pad;
      const minH = Math.ceil(area / binW) - pad;
      const bin = new MaxRectsBin(binW, binH);
      const rects: PackedRect[] = [];
      let right = 0;
      let bottom = 0;
      let ok = true;
      for (const item of sorted) {
        const at = bin.insert(item.w, item.h, combo.heuristic);
        if (!at) { ok = false; break; }
        rects.push({ index: item.index, x: at.x, y: at.y, w: item.w, h: item.h });
        right = Math.max(right, at.x + item.w - pad);
        bottom = Math.max(bottom, at.y + item.h - pad);
        if (side2(Math.max(right, minW)) * side2(Math.max(bottom, minH)) >= bestArea) { ok = false; break; }
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
  return best === page ? undefined : best;
}

/** A free rectangle by its edges: containment tests then need no additions. */
interface Free { x: number; y: number; r: number; b: number }

/** One bin's free space as the set of maximal free rectangles. */
export class MaxRectsBin {
  private readonly free: Free[];
  private used: Rect[] = [];

  constructor(readonly width: number, readonly height: number) {
    this.free = [{ x: 0, y: 0, r: width, b: height }];
  }

  insert(w: number, h: number, heuristic: PackHeuristic): { x: number; y: number } | undefined {
    let best: Free | undefined;
    let s1 = Infinity;
    let s2 = Infinity;
    for (const f of this.free) {
      const fw = f.r - f.x;
      const fh = f.b - f.y;
      if (fw < w || fh < h) continue;
      let a: number;
      let b: number;
      switch (heuristic) {
        case 'best-short-side': {
          const dw = fw - w;
          const dh = fh - h;
          a = Math.min(dw, dh);
          b = Math.max(dw, dh);
          break;
        }
        case 'best-long-side': {
          const dw = fw - w;
          const dh = fh - h;
          a = Math.max(dw, dh);
          b = Math.min(dw, dh);
          break;
        }
        case 'best-area':
          a = fw * fh - w * h;
          b = Math.min(fw - w, fh - h);
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
    const at = { x: best.x, y: best.y };
    this.place({ x: at.x, y: at.y, w, h });
    return at;
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

  private place(rect: Rect): void {
    const x = rect.x;
    const y = rect.y;
    const r = x + rect.w;
    const b = y + rect.h;
    const fresh: Free[] = [];
    // A kept rectangle can only contain a new piece if it shares the placed rectangle's edge line
    // on that side (it does not overlap the placed one, the piece touches it): only those need
    // checking, which turns the pruning from free × new into a short list.
    const touching: Free[] = [];
    const free = this.free;
    let kept = 0;
    for (let i = 0; i < free.length; i++) {
      const f = free[i]!;
      if (x >= f.r || r <= f.x || y >= f.b || b <= f.y) {
        free[kept++] = f;
        if (f.r === x || f.x === r || f.b === y || f.y === b) touching.push(f);
        continue;
      }
      if (x > f.x) fresh.push({ x: f.x, y: f.y, r: x, b: f.b });
      if (r < f.r) fresh.push({ x: r, y: f.y, r: f.r, b: f.b });
      if (y > f.y) fresh.push({ x: f.x, y: f.y, r: f.r, b: y });
      if (b < f.b) fresh.push({ x: f.x, y: b, r: f.r, b: f.b });
    }
    // Kept rectangles were maximal before, so none of them lies inside a new piece; only the new
    // pieces need checking, against the kept ones that touch and each other. Survivors are written
    // after the kept ones, in place.
    outer: for (let i = 0; i < fresh.length; i++) {
      const n = fresh[i]!;
      for (const k of touching) if (contains(k, n)) continue outer;
      for (let j = 0; j < fresh.length; j++) {
        if (i === j) continue;
        const o = fresh[j]!;
        // Equal pieces: keep the first only.
        if (contains(o, n) && (!contains(n, o) || j < i)) continue outer;
      }
      free[kept++] = n;
    }
    free.length = kept;
    this.used.push(rect);
  }
}

function contains(outer: Free, inner: Free): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.r <= outer.r && inner.b <= outer.b;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return a1 < b0 || b1 < a0 ? 0 : Math.min(a1, b1) - Math.max(a0, b0);
}
