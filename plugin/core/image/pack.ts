import { RetroSpritesError } from '../errors.js';

/**
 * MaxRects bin packing (Jukka Jylänki, "A Thousand Ways to Pack the Bin"), our own, because the
 * result decides how big the textures of every game are. Plainly: by default it is one heuristic
 * (tallest first, lowest spot) plus a search for the smallest last page. The other combinations
 * below run only where they can win: when that first layout needs more pages than the rectangles'
 * area does, and each stops as soon as it needs as many pages as the best so far.
 */

export type PackHeuristic = 'best-short-side' | 'best-long-side' | 'best-area' | 'bottom-left' | 'contact-point';
export type PackOrder = 'area' | 'max-side' | 'height' | 'width' | 'perimeter';

export const PACK_HEURISTICS: readonly PackHeuristic[] = ['best-short-side', 'best-long-side', 'best-area', 'bottom-left', 'contact-point'];
export const PACK_ORDERS: readonly PackOrder[] = ['area', 'max-side', 'height', 'width', 'perimeter'];

interface Combo { order: PackOrder; heuristic: PackHeuristic }

/**
 * The default, strongest first. On the bench's pixel-art frame sets (200 to 20 000 frames, 16
 * seeds each) "tallest first, lowest spot" gave the best layout every time and is also the fastest;
 * the others are a fallback for sets whose first layout misses the page count the area allows.
 */
const DEFAULT_SEARCH: readonly Combo[] = [
  { order: 'height', heuristic: 'bottom-left' },
  { order: 'height', heuristic: 'best-area' },
  { order: 'width', heuristic: 'best-area' },
  { order: 'area', heuristic: 'best-short-side' },
];

/**
 * Widths (as factors of the side of a square of the last page's area) the last-page search tries,
 * near-square first. Six, not more: on the bench's sets eleven gained 0.08 % occupancy at 200
 * frames and nothing at 1000 and up, for twice the time.
 */
const SHRINK_FACTORS: readonly number[] = [1, 1.1, 0.9, 1.25, 0.8, 1.5];

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
    // A layout with more pages than the best so far cannot win, and by default one with as many
    // cannot either (the last page is searched anyway): stop it as soon as it opens that one.
    const cap = best ? (exhaustive ? best.pages.length : best.pages.length - 1) : Infinity;
    const pages = packPages(sortedFor(combo.order), maxW + pad, maxH + pad, combo.heuristic, cap);
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

/**
 * Fills pages one after another; undefined as soon as it needs more than `maxPages`. A rectangle
 * that does not fit waits for the next page, but a full page is not asked again and again: the bin
 * refuses at once what is wider or taller than its largest free rectangle, and the page is closed
 * as soon as none of the rectangles still to come could fit (suffix minima of their sides).
 */
function packPages(sorted: Item[], binW: number, binH: number, heuristic: PackHeuristic, maxPages = Infinity): PackedPage[] | undefined {
  const pages: PackedPage[] = [];
  let remaining = sorted;
  const minW = new Float64Array(sorted.length + 1);
  const minH = new Float64Array(sorted.length + 1);
  while (remaining.length > 0) {
    if (pages.length >= maxPages) return undefined;
    const n = remaining.length;
    minW[n] = Infinity;
    minH[n] = Infinity;
    for (let i = n - 1; i >= 0; i--) {
      minW[i] = Math.min(minW[i + 1]!, remaining[i]!.w);
      minH[i] = Math.min(minH[i + 1]!, remaining[i]!.h);
    }
    const bin = new MaxRectsBin(binW, binH);
    const left: Item[] = [];
    const rects: PackedRect[] = [];
    let i = 0;
    for (; i < n; i++) {
      if (bin.widestFree < minW[i]! || bin.tallestFree < minH[i]!) break;
      const item = remaining[i]!;
      if (bin.insert(item.w, item.h, heuristic)) rects.push({ index: item.index, x: bin.lastX, y: bin.lastY, w: item.w, h: item.h });
      else left.push(item);
    }
    for (; i < n; i++) left.push(remaining[i]!);
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
  for (const f of SHRINK_FACTORS) {
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
        if (!bin.insert(item.w, item.h, combo.heuristic)) { ok = false; break; }
        const x = bin.lastX;
        const y = bin.lastY;
        rects.push({ index: item.index, x, y, w: item.w, h: item.h });
        if (x + item.w - pad > right) right = x + item.w - pad;
        if (y + item.h - pad > bottom) bottom = y + item.h - pad;
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

/**
 * One bin's free space as the set of maximal free rectangles, kept by their edges (x, y, right,
 * bottom) in one flat typed array: no object per rectangle, so a pack makes next to no garbage and
 * runs fast from its first call, before the JIT has warmed up.
 */
export class MaxRectsBin {
  private free: Int32Array;
  private count = 1;
  /** New pieces of the rectangles a placement cuts, before pruning (reused between placements). */
  private fresh = new Int32Array(64);
  /** Placed rectangles, kept only for the contact-point score. */
  private used: Rect[] = [];
  private touching = new Int32Array(64);
  /** Where the last successful insert put its rectangle. */
  lastX = 0;
  lastY = 0;
  /** The widest and the tallest free rectangle's sides: what does not fit them fits nowhere. */
  widestFree: number;
  tallestFree: number;

  constructor(readonly width: number, readonly height: number) {
    this.free = new Int32Array(64);
    this.free[2] = width;
    this.free[3] = height;
    this.widestFree = width;
    this.tallestFree = height;
  }

  /** Places a w×h rectangle; false when it fits nowhere. Its spot is then `lastX`, `lastY`. */
  insert(w: number, h: number, heuristic: PackHeuristic): boolean {
    if (w > this.widestFree || h > this.tallestFree) return false;
    const f = this.free;
    const end = this.count * 4;
    let at = -1;
    let s1 = Infinity;
    let s2 = Infinity;
    if (heuristic === 'bottom-left') {
      // The default's own loop: the lowest top edge after placing, then the leftmost.
      for (let i = 0; i < end; i += 4) {
        const x = f[i]!;
        const y = f[i + 1]!;
        if (f[i + 2]! - x < w || f[i + 3]! - y < h) continue;
        if (y < s1 || (y === s1 && x < s2)) {
          s1 = y;
          s2 = x;
          at = i;
        }
      }
    } else {
      for (let i = 0; i < end; i += 4) {
        const fw = f[i + 2]! - f[i]!;
        const fh = f[i + 3]! - f[i + 1]!;
        if (fw < w || fh < h) continue;
        let a: number;
        let b: number;
        switch (heuristic) {
          case 'best-short-side':
            a = Math.min(fw - w, fh - h);
            b = Math.max(fw - w, fh - h);
            break;
          case 'best-long-side':
            a = Math.max(fw - w, fh - h);
            b = Math.min(fw - w, fh - h);
            break;
          case 'best-area':
            a = fw * fh - w * h;
            b = Math.min(fw - w, fh - h);
            break;
          default:
            a = -this.contact(f[i]!, f[i + 1]!, w, h);
            b = f[i + 1]! + h;
        }
        if (a < s1 || (a === s1 && b < s2)) {
          s1 = a;
          s2 = b;
          at = i;
        }
      }
    }
    if (at < 0) return false;
    const x = f[at]!;
    const y = f[at + 1]!;
    this.place(x, y, w, h, heuristic === 'contact-point');
    this.lastX = x;
    this.lastY = y;
    return true;
  }

  private pushFresh(n: number, x: number, y: number, r: number, b: number): void {
    if (n + 4 > this.fresh.length) {
      const grown = new Int32Array(this.fresh.length * 2);
      grown.set(this.fresh);
      this.fresh = grown;
    }
    const f = this.fresh;
    f[n] = x;
    f[n + 1] = y;
    f[n + 2] = r;
    f[n + 3] = b;
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

  private place(x: number, y: number, w: number, h: number, keepUsed: boolean): void {
    const r = x + w;
    const b = y + h;
    const free = this.free;
    const end = this.count * 4;
    let nf = 0;
    // Kept rectangles move down in place; those sharing the placed rectangle's edge line are the
    // only ones that can contain a new piece (the piece touches that line), so only their offsets
    // are remembered for the pruning, which turns it from free × new into a short list.
    let kept = 0;
    let touching = this.touching;
    let nt = 0;
    for (let i = 0; i < end; i += 4) {
      const fx = free[i]!;
      const fy = free[i + 1]!;
      const fr = free[i + 2]!;
      const fb = free[i + 3]!;
      if (x >= fr || r <= fx || y >= fb || b <= fy) {
        if (fr === x || fx === r || fb === y || fy === b) {
          if (nt === touching.length) {
            const grown = new Int32Array(nt * 2);
            grown.set(touching);
            this.touching = touching = grown;
          }
          touching[nt++] = kept;
        }
        free[kept] = fx;
        free[kept + 1] = fy;
        free[kept + 2] = fr;
        free[kept + 3] = fb;
        kept += 4;
        continue;
      }
      if (x > fx) { this.pushFresh(nf, fx, fy, x, fb); nf += 4; }
      if (r < fr) { this.pushFresh(nf, r, fy, fr, fb); nf += 4; }
      if (y > fy) { this.pushFresh(nf, fx, fy, fr, y); nf += 4; }
      if (b < fb) { this.pushFresh(nf, fx, b, fr, fb); nf += 4; }
    }
    const fresh = this.fresh;
    // Kept rectangles were maximal before, so none of them lies inside a new piece; only the new
    // pieces need checking, against the kept ones that touch and each other. Equal pieces: the
    // first stays.
    let out = this.free;
    outer: for (let i = 0; i < nf; i += 4) {
      const nx = fresh[i]!;
      const ny = fresh[i + 1]!;
      const nr = fresh[i + 2]!;
      const nb = fresh[i + 3]!;
      for (let t = 0; t < nt; t++) {
        const k = touching[t]!;
        if (nx >= out[k]! && ny >= out[k + 1]! && nr <= out[k + 2]! && nb <= out[k + 3]!) continue outer;
      }
      for (let j = 0; j < nf; j += 4) {
        if (i === j) continue;
        const ox = fresh[j]!;
        const oy = fresh[j + 1]!;
        const or = fresh[j + 2]!;
        const ob = fresh[j + 3]!;
        if (nx >= ox && ny >= oy && nr <= or && nb <= ob) {
          const same = nx === ox && ny === oy && nr === or && nb === ob;
          if (!same || j < i) continue outer;
        }
      }
      if (kept + 4 > out.length) {
        const grown = new Int32Array(out.length * 2);
        grown.set(out.subarray(0, kept));
        this.free = out = grown;
      }
      out[kept] = nx;
      out[kept + 1] = ny;
      out[kept + 2] = nr;
      out[kept + 3] = nb;
      kept += 4;
    }
    this.count = kept / 4;
    let widest = 0;
    let tallest = 0;
    for (let i = 0; i < kept; i += 4) {
      if (out[i + 2]! - out[i]! > widest) widest = out[i + 2]! - out[i]!;
      if (out[i + 3]! - out[i + 1]! > tallest) tallest = out[i + 3]! - out[i + 1]!;
    }
    this.widestFree = widest;
    this.tallestFree = tallest;
    if (keepUsed) this.used.push({ x, y, w, h });
  }
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return a1 < b0 || b1 < a0 ? 0 : Math.min(a1, b1) - Math.max(a0, b0);
}
