// One packer on one frame set, alone in a fresh node process: the first call is what a build
// pays (cold JIT, nothing cached), the repeats what a long-lived process pays.
// argv: packer frames repeats budgetMs (repeats stop once they have taken budgetMs); prints { pages, occupancy, firstMs, repeatMs[] } as JSON.
import { createRequire } from 'node:module';
import { dist } from '../lib/dist.mjs';
import { frameSet, packInput } from '../lib/frames.mjs';

const [packer, frames, repeats, budgetMs] = process.argv.slice(2);
const PAGE = 2048;
const PADDING = 2;
const require = createRequire(import.meta.url);
const sizes = packInput(frameSet(Number(frames), Number(frames)));

/** Every rectangle once, inside its page, `PADDING` apart: a fast packer that is wrong would be no news. */
function verify(result) {
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

// Loading the module is not timed (a build loads it once, long before it packs); the call is.
let pack;
if (packer === 'ours') {
  const { packRects } = await import(dist('core/image/pack.js'));
  pack = () => packRects(sizes, { maxWidth: PAGE, maxHeight: PAGE, padding: PADDING });
} else if (packer.startsWith('maxrects-packer-')) {
  // Its `main` is a UMD build; its ES module sits beside it.
  const { MaxRectsPacker } = await import('maxrects-packer/dist/maxrects-packer.mjs');
  const logic = Number(packer.slice('maxrects-packer-'.length));
  pack = () => {
    const p = new MaxRectsPacker(PAGE, PAGE, PADDING, { smart: true, pot: false, square: false, allowRotation: false, logic });
    p.addArray(sizes.map((s) => ({ width: s.w, height: s.h })));
    return { pages: p.bins.map((b) => ({ width: b.width, height: b.height })) };
  };
} else if (packer === 'free-tex-packer-core') {
  // Its packing alone (no PNG decode, render, encode), through the PackProcessor its packAsync calls.
  const PackProcessor = require('free-tex-packer-core/PackProcessor.js');
  const OptimalPacker = require('free-tex-packer-core/packers/OptimalPacker.js');
  const TextureRenderer = require('free-tex-packer-core/utils/TextureRenderer.js');
  const options = { width: PAGE, height: PAGE, padding: PADDING / 2, extrude: 0, fixedSize: false, powerOfTwo: false, allowRotation: false, allowTrim: false, detectIdentical: false, packer: OptimalPacker, packerMethod: OptimalPacker.defaultMethod };
  pack = () => {
    const images = Object.fromEntries(sizes.map((s, i) => [`f${String(i).padStart(6, '0')}.png`, { width: s.w, height: s.h, _base64: String(i) }]));
    let res;
    PackProcessor.pack(images, options, (r) => { res = r; }, (e) => { throw new Error(e.description); });
    return { pages: res.map((d) => TextureRenderer.getSize(d, options)) };
  };
} else throw new Error(`unknown packer ${packer}`);

const times = [];
let result;
const started = performance.now();
for (let i = 0; i <= Number(repeats) && (i < 2 || performance.now() - started < Number(budgetMs)); i++) {
  const t0 = performance.now();
  result = pack();
  times.push(performance.now() - t0);
  if (i === 0 && times[0] > Number(budgetMs)) break;
}
if (packer === 'ours') verify(result);
const used = sizes.reduce((n, s) => n + s.w * s.h, 0);
const area = result.pages.reduce((n, p) => n + p.width * p.height, 0);
process.stdout.write(JSON.stringify({ rects: sizes.length, pages: result.pages.length, occupancy: used / area, firstMs: times[0], repeatMs: times.slice(1) }) + '\n');
