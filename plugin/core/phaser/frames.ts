import { actionCells, layoutCellCount, resolveLayout, sheetPlacement, type StyleLayout } from '../animation-layout.js';
import { findStyle } from '../catalog.js';
import { RetroSpritesError } from '../errors.js';
import { formatLocation } from '../location.js';
import type { GeneratedImage } from '../providers/provider.js';
import type { GenerationRequest } from '../request.js';
import type { RgbaImage } from '../image/bitmap.js';
import { decodeGif, isGif } from '../image/gif.js';
import { decodePng } from '../image/png.js';
import { crop } from '../image/trim.js';

/** One frame of an atlas, untrimmed, under its Phaser frame name. */
export interface NamedFrame {
  name: string;
  image: RgbaImage;
  /** Pivot in 0..1 of the untrimmed frame (the manifest's `origin`). */
  pivot?: { x: number; y: number };
}

export interface AnimationFrameRef {
  frame: string;
  /** Only when the GIF's delays differ from frame to frame; otherwise `frameRate` says it all. */
  durationMs?: number;
}

export interface AnimationSpec {
  key: string;
  /** The layout's action (`walk`, `idle`, …) and direction this plays; `default` for a plain animation. */
  action?: string;
  direction?: string;
  frames: AnimationFrameRef[];
  frameRate: number;
  repeat: number;
}

/** An image that is written on its own (a repeating texture needs its own edges). */
export interface NamedImage {
  name: string;
  image: RgbaImage;
}

export interface SpriteFrames {
  frames: NamedFrame[];
  animations: AnimationSpec[];
  tileImages: NamedImage[];
}

/** Frames per second of a sprite sheet or of a `num_images` animation when the manifest says none. */
export const DEFAULT_SHEET_FRAME_RATE = 8;

interface DecodedFrame { image: RgbaImage; durationMs?: number }

/** One answer image decoded; its pixels are read, never changed, by everything after. */
export interface DecodedAnswer { frames: DecodedFrame[]; animated: boolean }

/** How an answer image is decoded: `decodeFrames`, or a caller's memo of it. */
export type Decode = (image: GeneratedImage, what: string) => DecodedAnswer;

/** Decodes one answer image by its bytes (not its declared format): every GIF frame, or the PNG. */
export function decodeFrames(image: GeneratedImage, what: string): DecodedAnswer {
  if (isGif(image.bytes)) {
    const gif = decodeGif(image.bytes, what);
    return { frames: gif.frames.map((f) => ({ image: f.image, durationMs: f.durationMs })), animated: gif.frames.length > 1 };
  }
  return { frames: [{ image: decodePng(image.bytes, what) }], animated: false };
}

/**
 * Turns one sprite's answer into named frames and animations:
 * - an animated style with a layout (`STYLE_LAYOUTS`, or the manifest's `animation:` mapping): frames
 *   `<sprite>/<action>/<direction>/<i>` and animations `<sprite>_<action>_<direction>`, from the GIF's
 *   frames (direction by direction) or the sliced sheet; the seed's walking style keeps its names,
 *   `<sprite>/<direction>/<i>` and `<sprite>_<direction>`;
 * - otherwise one image is the frame `<sprite>`; several images or GIF frames are `<sprite>_0 … _n-1`,
 *   with an animation `<sprite>` when the manifest asks for one or the answer is an animated GIF;
 * - a tiling sprite (`tile_x`/`tile_y`) becomes standalone images under the same names, unpacked.
 */
export function spriteFrames(request: GenerationRequest, images: GeneratedImage[], decode: Decode = decodeFrames): SpriteFrames {
  const { sprite, payload, options } = request;
  const where = formatLocation(request.source);
  const what = (k: number) => `${where}: sprite "${sprite}"${images.length > 1 ? ` image ${k}` : ''}`;
  const pivot = options.origin ? { x: options.origin.x, y: options.origin.y } : undefined;
  const withPivot = (name: string, image: RgbaImage): NamedFrame => (pivot ? { name, image, pivot } : { name, image });

  if (payload.tile_x || payload.tile_y) {
    const all = images.flatMap((img, k) => decode(img, what(k)).frames);
    return {
      frames: [],
      animations: [],
      tileImages: all.map((f, j) => ({ name: all.length === 1 ? sprite : `${sprite}_${j}`, image: f.image })),
    };
  }

  const layout = resolveLayout(payload.prompt_style, options.layout);
  if (layout) {
    const style = payload.prompt_style ? findStyle(payload.prompt_style) : undefined;
    const cellSize = style?.fixedSize ?? { width: payload.width, height: payload.height };
    const out: SpriteFrames = { frames: [], animations: [], tileImages: [] };
    for (const [k, img] of images.entries()) {
      const prefix = images.length > 1 ? `${sprite}_${k}` : sprite;
      const decoded = decode(img, what(k));
      const cells = decoded.animated ? checkCount(decoded.frames, layout, what(k)) : sliceSheet(decoded.frames[0]!.image, layout, cellSize, what(k));
      const perDirection = cells.length / layout.directions.length;
      layout.directions.forEach((direction, d) => {
        const cell = (i: number) => cells[d * perDirection + i]!;
        if (layout.legacyNames) {
          for (let i = 0; i < perDirection; i++) out.frames.push(withPivot(`${prefix}/${direction}/${i}`, cell(i).image));
        }
        for (const [action, which] of Object.entries(layout.actions)) {
          const seq = actionCells(which, perDirection);
          const names = seq.map((c, i) => (layout.legacyNames ? `${prefix}/${direction}/${c}` : `${prefix}/${action}/${direction}/${i}`));
          if (!layout.legacyNames) seq.forEach((c, i) => out.frames.push(withPivot(names[i]!, cell(c).image)));
          const key = layout.legacyNames ? `${prefix}_${direction}` : `${prefix}_${action}_${direction}`;
          out.animations.push({
            ...animation(key, seq.map((c, i) => ({ name: names[i]!, durationMs: cell(c).durationMs })), request),
            action,
            direction,
          });
        }
      });
    }
    return out;
  }

  const decoded = images.map((img, k) => decode(img, what(k)));
  const all = decoded.flatMap((d) => d.frames);
  const names = all.map((_, j) => (all.length === 1 ? sprite : `${sprite}_${j}`));
  const frames = all.map((f, j) => withPivot(names[j]!, f.image));
  const animated = options.animate || decoded.some((d) => d.animated);
  const animations = animated
    ? [{ ...animation(sprite, all.map((f, j) => ({ name: names[j]!, durationMs: f.durationMs })), request), action: 'default', direction: 'default' }]
    : [];
  return { frames, animations, tileImages: [] };
}

function animation(
  key: string,
  frames: { name: string; durationMs?: number }[],
  request: GenerationRequest,
): AnimationSpec {
  const delays = frames.map((f) => f.durationMs).filter((d): d is number => d !== undefined);
  const fromGif = delays.length === frames.length && frames.length > 0;
  const explicit = request.options.frameRate;
  const mean = fromGif ? delays.reduce((a, b) => a + b, 0) / delays.length : 0;
  const frameRate = explicit ?? (fromGif ? round3(1000 / mean) : DEFAULT_SHEET_FRAME_RATE);
  // Per-frame durations only when the GIF's delays vary and the manifest did not set a rate:
  // Phaser then shows each frame for exactly its delay.
  const uneven = fromGif && delays.some((d) => d !== delays[0]);
  return {
    key,
    frames: frames.map((f) => (uneven && explicit === undefined ? { frame: f.name, durationMs: f.durationMs! } : { frame: f.name })),
    frameRate,
    repeat: request.options.repeat,
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function describe(layout: StyleLayout): string {
  const n = layoutCellCount(layout);
  return `${n} (${layout.directions.length} direction${layout.directions.length === 1 ? '' : 's'} x ${layout.cellsPerDirection})`;
}

function checkCount(frames: DecodedFrame[], layout: StyleLayout, what: string): DecodedFrame[] {
  const expected = layoutCellCount(layout);
  if (expected === undefined) {
    if (frames.length % layout.directions.length === 0) return frames;
  } else if (frames.length === expected) {
    return frames;
  }
  throw new RetroSpritesError(
    'layout-mismatch',
    `${what}: the GIF has ${frames.length} frames but the animation layout expects ${expected === undefined ? `a multiple of ${layout.directions.length}` : describe(layout)}; ` +
      'set `animation:` in the manifest to match',
  );
}

function sliceSheet(sheet: RgbaImage, layout: StyleLayout, cell: { width: number; height: number }, what: string): DecodedFrame[] {
  let perDirection = layout.cellsPerDirection;
  if (perDirection === 'any') {
    // A sheet of as many cells as the answer holds, in reading order; empty cells at the end are padding.
    if (sheet.width % cell.width !== 0 || sheet.height % cell.height !== 0) {
      throw new RetroSpritesError('layout-mismatch', `${what}: a ${sheet.width}x${sheet.height} sheet does not divide into ${cell.width}x${cell.height} cells; set \`animation:\` in the manifest to match`);
    }
    const cols = sheet.width / cell.width;
    const all: DecodedFrame[] = [];
    for (let r = 0; r < sheet.height / cell.height; r++) {
      for (let c = 0; c < cols; c++) all.push({ image: crop(sheet, { x: c * cell.width, y: r * cell.height, w: cell.width, h: cell.height }) });
    }
    while (all.length > 1 && isEmpty(all[all.length - 1]!.image)) all.pop();
    const dirs = layout.directions.length;
    return all.slice(0, Math.floor(all.length / dirs) * dirs);
  }
  const grid = sheetPlacement(layout, perDirection);
  if (sheet.width % grid.cols !== 0 || sheet.height % grid.rows !== 0) {
    throw new RetroSpritesError(
      'layout-mismatch',
      `${what}: a ${sheet.width}x${sheet.height} sheet does not divide into ${grid.cols}x${grid.rows} cells ` +
        `as the animation layout says; set \`animation:\` in the manifest to match`,
    );
  }
  const w = sheet.width / grid.cols;
  const h = sheet.height / grid.rows;
  return grid.cells.map(([col, row]) => ({ image: crop(sheet, { x: col * w, y: row * h, w, h }) }));
}

function isEmpty(image: RgbaImage): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 0) return false;
  return true;
}
