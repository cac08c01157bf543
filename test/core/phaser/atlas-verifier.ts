import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { decodePng } from '../../../plugin/core/image/png.js';

/**
 * Reads what was written to an output folder the way a game would (pack.json → atlas JSON → PNG
 * pages) and checks it against the source frames, knowing nothing of how it was built.
 * Returns a list of problems; empty means the atlases are right.
 */
export function verifyOutput(dir: string, sources: Map<string, RgbaImage>, opts: { padding: number; extrude: number }): { problems: string[]; framesSeen: number } {
  const problems: string[] = [];
  const pack = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as Record<string, { files: Record<string, string>[] }>;
  let framesSeen = 0;
  for (const section of Object.values(pack)) {
    for (const file of section.files) {
      let pages: { image: RgbaImage; frames: [string, FrameJson][] }[] = [];
      if (file.type === 'atlas') {
        const json = JSON.parse(readFileSync(join(dir, file.atlasURL!), 'utf8')) as { frames: Record<string, FrameJson>; meta: { image: string; size: { w: number; h: number } } };
        const image = decodePng(new Uint8Array(readFileSync(join(dir, file.textureURL!))));
        if (json.meta.image !== file.textureURL) problems.push(`${file.key}: meta.image ${json.meta.image} is not the texture ${file.textureURL}`);
        if (json.meta.size.w !== image.width || json.meta.size.h !== image.height) problems.push(`${file.key}: meta.size differs from the PNG`);
        pages = [{ image, frames: Object.entries(json.frames) }];
      } else if (file.type === 'multiatlas') {
        const json = JSON.parse(readFileSync(join(dir, file.url!), 'utf8')) as { textures: { image: string; size: { w: number; h: number }; frames: (FrameJson & { filename: string })[] }[] };
        pages = json.textures.map((t) => {
          const image = decodePng(new Uint8Array(readFileSync(join(dir, t.image))));
          if (t.size.w !== image.width || t.size.h !== image.height) problems.push(`${file.key}: ${t.image} size differs from the PNG`);
          return { image, frames: t.frames.map((f) => [f.filename, f] as [string, FrameJson]) };
        });
      } else {
        continue;
      }
      for (const [p, page] of pages.entries()) {
        const where = `${file.key} page ${p}`;
        const rects = new Map<string, FrameJson['frame']>();
        for (const [name, f] of page.frames) {
          framesSeen++;
          problems.push(...checkFrame(`${where} frame ${name}`, page.image, f, sources.get(name)));
          rects.set(`${f.frame.x},${f.frame.y},${f.frame.w},${f.frame.h}`, f.frame);
        }
        const list = [...rects.values()];
        for (let i = 0; i < list.length; i++) {
          for (let j = i + 1; j < list.length; j++) {
            const a = list[i]!;
            const b = list[j]!;
            const gap = opts.padding;
            if (!(a.x + a.w + gap <= b.x || b.x + b.w + gap <= a.x || a.y + a.h + gap <= b.y || b.y + b.h + gap <= a.y)) {
              problems.push(`${where}: rectangles ${JSON.stringify(a)} and ${JSON.stringify(b)} are closer than ${gap} px`);
            }
          }
          problems.push(...checkExtrusion(where, page.image, list[i]!, opts.extrude));
        }
      }
    }
  }
  return { problems, framesSeen };
}

interface FrameJson {
  frame: { x: number; y: number; w: number; h: number };
  rotated: boolean;
  trimmed: boolean;
  spriteSourceSize: { x: number; y: number; w: number; h: number };
  sourceSize: { w: number; h: number };
  pivot?: { x: number; y: number };
}

function px(img: RgbaImage, x: number, y: number): string {
  const i = (y * img.width + x) * 4;
  return `${img.data[i]},${img.data[i + 1]},${img.data[i + 2]},${img.data[i + 3]}`;
}

function checkFrame(where: string, page: RgbaImage, f: FrameJson, source: RgbaImage | undefined): string[] {
  if (!source) return [`${where}: no such source frame`];
  const out: string[] = [];
  const { frame, spriteSourceSize: sss, sourceSize } = f;
  if (f.rotated) out.push(`${where}: rotated`);
  if (frame.x < 0 || frame.y < 0 || frame.x + frame.w > page.width || frame.y + frame.h > page.height) out.push(`${where}: outside its page`);
  if (sourceSize.w !== source.width || sourceSize.h !== source.height) out.push(`${where}: sourceSize ${sourceSize.w}x${sourceSize.h} is not ${source.width}x${source.height}`);
  if (sss.w !== frame.w || sss.h !== frame.h) out.push(`${where}: spriteSourceSize and frame differ in size`);
  if (sss.x < 0 || sss.y < 0 || sss.x + sss.w > source.width || sss.y + sss.h > source.height) out.push(`${where}: spriteSourceSize outside the source`);
  if (f.trimmed !== (sss.w !== source.width || sss.h !== source.height)) out.push(`${where}: trimmed flag is wrong`);
  if (out.length) return out;
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < source.width; x++) {
      const inside = x >= sss.x && y >= sss.y && x < sss.x + sss.w && y < sss.y + sss.h;
      const want = px(source, x, y);
      if (inside) {
        const got = px(page, frame.x + x - sss.x, frame.y + y - sss.y);
        if (got !== want) return [`${where}: pixel (${x},${y}) is ${got}, the source has ${want}`];
      } else if (source.data[(y * source.width + x) * 4 + 3] !== 0) {
        return [`${where}: trimmed away the visible pixel (${x},${y})`];
      }
    }
  }
  return [];
}

function checkExtrusion(where: string, page: RgbaImage, r: FrameJson['frame'], extrude: number): string[] {
  for (let y = r.y - extrude; y < r.y + r.h + extrude; y++) {
    for (let x = r.x - extrude; x < r.x + r.w + extrude; x++) {
      if (x < 0 || y < 0 || x >= page.width || y >= page.height) continue;
      if (x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h) continue;
      const ex = Math.min(r.x + r.w - 1, Math.max(r.x, x));
      const ey = Math.min(r.y + r.h - 1, Math.max(r.y, y));
      if (px(page, x, y) !== px(page, ex, ey)) return [`${where}: extrusion pixel (${x},${y}) differs from its edge pixel (${ex},${ey})`];
    }
  }
  return [];
}
