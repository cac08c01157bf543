import { createRequire } from 'node:module';
import { frameSet, packInput } from '../lib/frames.mjs';
import { dist } from '../lib/dist.mjs';
import { summarize, timeRuns } from '../lib/stats.mjs';

const { packRects, PACK_HEURISTICS, PACK_ORDERS } = await import(dist('core/image/pack.js'));
const { encodePngCompact } = await import(dist('core/image/png-encode.js'));
const { pngSize } = await import(dist('core/image/png.js'));
// maxrects-packer's `main` is a UMD build; its ES module sits beside it.
const { MaxRectsPacker } = await import('maxrects-packer/dist/maxrects-packer.mjs');
const require = createRequire(import.meta.url);

const PAGE = 2048;
const PADDING = 2;

/** Runs per set size: fewer for the big sets, to keep `npm run bench` within minutes on 2 cores. */
const RUNS = { 200: 7, 1000: 5, 5000: 3 };

function occupancy(sizes, pages) {
  const used = sizes.reduce((n, s) => n + s.w * s.h, 0);
  return used / pages.reduce((n, p) => n + p.width * p.height, 0);
}

/** Every rectangle once, inside its page, `PADDING` apart: a fast packer that is wrong would be no news. */
function verify(sizes, result) {
  const seen = new Set();
  for (const page of result.pages) {
    const rects = [...page.rects].sort((a, b) => a.x - b.x);
    for (let i = 0; i < rects.length; i++) {
      const a = rects[i];
      if (seen.has(a.index) || a.w !== sizes[a.index].w || a.h !== sizes[a.index].h) throw new Error(`packing: rectangle ${a.index} wrong`);
      seen.add(a.index);
      if (a.x < 0 || a.y < 0 || a.x + a.w > page.width || a.y + a.h > page.height || page.width > PAGE || page.height > PAGE) throw new Error(`packing: rectangle ${a.index} outside its page`);
      for (let j = i + 1; j < rects.length && rects[j].x < a.x + a.w + PADDING; j++) {
        const b = rects[j];
        if (b.y < a.y + a.h + PADDING && a.y < b.y + b.h + PADDING) throw new Error(`packing: rectangles ${a.index} and ${b.index} closer than ${PADDING}`);
      }
    }
  }
  if (seen.size !== sizes.length) throw new Error('packing: rectangles missing');
}

function ours(sizes, exhaustive) {
  const r = packRects(sizes, { maxWidth: PAGE, maxHeight: PAGE, padding: PADDING, ...(exhaustive ? { heuristics: PACK_HEURISTICS, orders: PACK_ORDERS } : {}) });
  return r.pages.map((p) => ({ width: p.width, height: p.height }));
}

function maxrects(sizes, logic) {
  const packer = new MaxRectsPacker(PAGE, PAGE, PADDING, { smart: true, pot: false, square: false, allowRotation: false, logic });
  packer.addArray(sizes.map((s) => ({ width: s.w, height: s.h })));
  return packer.bins.map((b) => ({ width: b.width, height: b.height }));
}

/** free-tex-packer-core works on images: one solid PNG per rectangle, its trimming and dedupe off (done already). */
function pngFiles(sizes) {
  return sizes.map((s, i) => {
    const data = new Uint8Array(s.w * s.h * 4);
    for (let p = 0; p < data.length; p += 4) {
      data[p] = i & 255;
      data[p + 1] = (i >> 8) & 255;
      data[p + 2] = 90;
      data[p + 3] = 255;
    }
    return { path: `f${String(i).padStart(5, '0')}.png`, contents: Buffer.from(encodePngCompact({ width: s.w, height: s.h, data })) };
  });
}

async function freeTexPacker(files) {
  const { packAsync } = require('free-tex-packer-core');
  const out = await packAsync(files, {
    textureName: 'page',
    width: PAGE,
    height: PAGE,
    fixedSize: false,
    powerOfTwo: false,
    // It pads every side of every frame: 1 makes the same 2-pixel gap between frames.
    padding: PADDING / 2,
    extrude: 0,
    allowRotation: false,
    allowTrim: false,
    detectIdentical: false,
    packer: 'OptimalPacker',
    exporter: 'JsonHash',
    removeFileExtension: true,
  });
  return out.filter((f) => f.name.endsWith('.png')).map((f) => pngSize(new Uint8Array(f.buffer)));
}

/** Its packing alone (no PNG decode, render, encode), through the same PackProcessor packAsync calls. */
function freeTexPackerPackOnly(sizes) {
  const PackProcessor = require('free-tex-packer-core/PackProcessor.js');
  const OptimalPacker = require('free-tex-packer-core/packers/OptimalPacker.js');
  const TextureRenderer = require('free-tex-packer-core/utils/TextureRenderer.js');
  const images = Object.fromEntries(sizes.map((s, i) => [`f${String(i).padStart(5, '0')}.png`, { width: s.w, height: s.h, _base64: String(i) }]));
  const options = { width: PAGE, height: PAGE, padding: PADDING / 2, extrude: 0, fixedSize: false, powerOfTwo: false, allowRotation: false, allowTrim: false, detectIdentical: false, packer: OptimalPacker, packerMethod: OptimalPacker.defaultMethod };
  let res;
  PackProcessor.pack(images, options, (r) => { res = r; }, (e) => { throw new Error(e.description); });
  return res.map((d) => TextureRenderer.getSize(d, options));
}

export async function run({ log, full }) {
  const sets = [];
  for (const n of [200, 1000, 5000]) {
    const frames = frameSet(n, n);
    const sizes = packInput(frames);
    const runs = RUNS[n];
    const trimmedArea = sizes.reduce((a, s) => a + s.w * s.h, 0);
    const sourceArea = frames.reduce((a, f) => a + f.w * f.h, 0);
    log(`packing: ${n} frames (${sizes.length} distinct after dedupe)`);
    verify(sizes, packRects(sizes, { maxWidth: PAGE, maxHeight: PAGE, padding: PADDING }));
    const packers = [];
    const measure = async (name, fn, r = runs, note) => {
      const t = await timeRuns(r, () => fn(), { warmup: r > 1 ? 1 : 0 });
      const pages = await t.last;
      packers.push({ name, pages: pages.length, occupancy: occupancy(sizes, pages), ms: t.ms, note });
      log(`  ${name}: ${pages.length} pages, ${(occupancy(sizes, pages) * 100).toFixed(2)}%, median ${t.ms.median.toFixed(0)} ms`);
    };
    await measure('ours (packRects)', () => ours(sizes, false));
    await measure('ours, exhaustive 5×5 search', () => ours(sizes, true), Math.min(runs, 3));
    for (const logic of [0, 1, 2]) await measure(`maxrects-packer logic ${logic}`, () => maxrects(sizes, logic));
    if (n <= 1000 || full) {
      const files = pngFiles(sizes);
      const r = n <= 200 ? 3 : 1;
      await measure('free-tex-packer-core OptimalPacker', () => freeTexPacker(files), r, 'PNG decode, render and encode included');
      await measure('free-tex-packer-core OptimalPacker, packing only', () => freeTexPackerPackOnly(sizes), r);
    } else {
      packers.push({
        name: 'free-tex-packer-core OptimalPacker',
        skipped: 'not run: about 10 minutes for this set on this machine (measured once while writing the bench: 4 pages, 92.05%, 596 s); `npm run bench -- --full` runs it',
      });
    }
    // The peer to beat: fewest pages, then the highest occupancy; maxrects-packer's logics count as one peer (its best).
    const peers = packers.filter((p) => !p.skipped && !p.name.startsWith('ours') && !p.name.endsWith('packing only'));
    const bestPeer = peers.sort((a, b) => a.pages - b.pages || b.occupancy - a.occupancy)[0];
    const mine = packers[0];
    sets.push({
      frames: n,
      distinct: sizes.length,
      trimmedOverSource: trimmedArea / sourceArea,
      packers,
      bestPeer: bestPeer.name,
      goal: {
        occupancyAtLeastBestPeer: mine.pages < bestPeer.pages || (mine.pages === bestPeer.pages && mine.occupancy >= bestPeer.occupancy),
        timeAtMostBestPeer: mine.ms.median <= bestPeer.ms.median,
        timeRatio: mine.ms.median / bestPeer.ms.median,
      },
    });
  }
  return { padding: PADDING, page: PAGE, sets };
}
