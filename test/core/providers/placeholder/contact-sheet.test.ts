import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGIF, decompressFrames } from 'gifuct-js';
import { renderPlaceholder } from '../../../../plugin/core/providers/placeholder/index.js';
import { createImage, type RgbaImage } from '../../../../plugin/core/image/bitmap.js';
import { decodePng, encodePng } from '../../../../plugin/core/image/png.js';
import { loadManifests } from '../../../../plugin/core/manifest/index.js';
import { CASES } from './cases.js';

const OUT = 'test-output';
const CELL = 200;

function firstFrame(bytes: Uint8Array): RgbaImage {
  const gif = parseGIF(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const f = decompressFrames(gif, true)[0]!;
  return { width: f.dims.width, height: f.dims.height, data: new Uint8Array(f.patch) };
}

/** Pastes `img` scaled by a whole factor to fit the cell, over a checkerboard that shows transparency. */
function paste(sheet: RgbaImage, img: RgbaImage, ox: number, oy: number): void {
  const k = Math.max(1, Math.floor((CELL - 8) / Math.max(img.width, img.height)));
  const x0 = ox + ((CELL - img.width * k) >> 1);
  const y0 = oy + ((CELL - img.height * k) >> 1);
  for (let y = 0; y < img.height * k; y++) {
    for (let x = 0; x < img.width * k; x++) {
      const si = (Math.floor(y / k) * img.width + Math.floor(x / k)) * 4;
      const di = ((y0 + y) * sheet.width + x0 + x) * 4;
      if (img.data[si + 3]! < 128) continue;
      sheet.data.set([img.data[si]!, img.data[si + 1]!, img.data[si + 2]!, 255], di);
    }
  }
}

function checkerboard(cols: number, rows: number): RgbaImage {
  const sheet = createImage(cols * CELL, rows * CELL);
  for (let y = 0; y < sheet.height; y++) {
    for (let x = 0; x < sheet.width; x++) {
      const light = ((x >> 3) + (y >> 3)) & 1;
      sheet.data.set(light ? [70, 72, 84, 255] : [58, 60, 72, 255], (y * sheet.width + x) * 4);
    }
  }
  return sheet;
}

/** Subjects beyond the representative set, so a person can judge the breadth of the vocabulary. */
const GALLERY = ['hero', 'robot', 'red dragon', 'skeleton', 'grey cat', 'ghost', 'king', 'witch', 'frog', 'owl',
  'ninja', 'golden butterfly', 'steel sword', 'silver key', 'wooden shield', 'bomb', 'crown', 'apple', 'magic book',
  'ring', 'mushroom', 'big rock', 'barrel', 'pink flower', 'torch', 'cottage house', 'cactus', 'pine tree', 'crate',
  'signpost', 'sand texture', 'lava texture', 'wood planks texture', 'snow texture', 'metal tiles texture', 'dirt texture'];

describe('contact sheet of the placeholder art', () => {
  it('renders every sprite of the demo\'s manifests to test-output/placeholder-demo-manifests.png', async () => {
    mkdirSync(OUT, { recursive: true });
    const plan = await loadManifests({ root: process.cwd() });
    expect(plan.requests.length).toBeGreaterThan(0);
    const images = plan.requests.flatMap((r) =>
      renderPlaceholder(r.payload).map((image) => (image.format === 'gif' ? firstFrame(image.bytes) : decodePng(image.bytes))),
    );
    const cols = 6;
    const sheet = checkerboard(cols, Math.ceil(images.length / cols));
    images.forEach((img, i) => paste(sheet, img, (i % cols) * CELL, Math.floor(i / cols) * CELL));
    writeFileSync(`${OUT}/placeholder-demo-manifests.png`, encodePng(sheet));
  });

  it('renders a gallery of many subjects to test-output/placeholder-gallery.png', () => {
    mkdirSync(OUT, { recursive: true });
    const cols = 6;
    const sheet = checkerboard(cols, Math.ceil(GALLERY.length / cols));
    GALLERY.forEach((prompt, i) => {
      const [image] = renderPlaceholder({ prompt, width: 64, height: 64, num_images: 1, seed: i, remove_bg: true });
      paste(sheet, decodePng(image!.bytes), (i % cols) * CELL, Math.floor(i / cols) * CELL);
    });
    writeFileSync(`${OUT}/placeholder-gallery.png`, encodePng(sheet));
  });

  it('renders every representative request to test-output/placeholder-contact-sheet.png for a person to look at', () => {
    mkdirSync(OUT, { recursive: true });
    const names = Object.keys(CASES);
    const cols = 6;
    const rows = Math.ceil(names.length / cols);
    const sheet = checkerboard(cols, rows);
    names.forEach((name, i) => {
      const [image] = renderPlaceholder(CASES[name]!);
      expect(image).toBeDefined();
      const img = image!.format === 'gif' ? firstFrame(image!.bytes) : decodePng(image!.bytes);
      writeFileSync(`${OUT}/placeholder-${name}.${image!.format}`, image!.bytes);
      paste(sheet, img, (i % cols) * CELL, Math.floor(i / cols) * CELL);
    });
    writeFileSync(`${OUT}/placeholder-contact-sheet.png`, encodePng(sheet));
  });
});
