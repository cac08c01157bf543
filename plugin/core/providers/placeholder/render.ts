import { findStyle, unknownStyleInfo } from '../../catalog.js';
import type { RgbaImage } from '../../image/bitmap.js';
import { encodePng } from '../../image/png.js';
import { encodeGif } from '../../image/gif-encode.js';
import type { ApiPayload } from '../../payload.js';
import type { GeneratedImage } from '../provider.js';
import { animationFrames, ANIMATION_DELAY_MS } from './anim.js';
import { layoutFrames, layoutSheet } from './layout-frames.js';
import { layoutForStyle } from '../../animation-layout.js';
import { decodeInputImage, deriveFromInput, DEFAULT_STRENGTH } from './img2img.js';
import { lookFor } from './look.js';
import type { Rgb } from './palette.js';
import { createRng } from './prng.js';
import { readPrompt } from './prompt.js';
import { mapToPalette, paletteFromPng, posterize, toOneBit, upscale } from './quantize.js';
import { renderStill } from './still.js';
import { styleTraits } from './style.js';
import { blit, walkFrames, walkSheet, WALK_DELAY_MS } from './walk.js';
import { createImage } from '../../image/bitmap.js';
import { isTilesetStyle } from '../../tileset/layout.js';
import { drawTileset } from './tileset.js';
import { RetroSpritesError } from '../../errors.js';

const MAX_SIDE = 2048;
const INK: Rgb = [24, 20, 37];
const PAPER: Rgb = [232, 228, 210];

/**
 * Draws every image of a request. Pure: the same payload gives the same bytes anywhere. Each image
 * gets its own generator seeded from the prompt, style, seed and index, so `num_images` gives
 * distinct variants and changing one field does not reshuffle the others' choices.
 */
export function renderAll(payload: ApiPayload, version: string): GeneratedImage[] {
  checkSize(payload);
  const count = Math.max(1, Math.floor(payload.num_images || 1));
  const out: GeneratedImage[] = [];
  for (let i = 0; i < count; i++) out.push(renderOne(payload, i, version));
  return out;
}

function renderOne(payload: ApiPayload, index: number, version: string): GeneratedImage {
  const traits = styleTraits(payload.prompt_style);
  const info = traits.info ?? (payload.prompt_style ? unknownStyleInfo(payload.prompt_style) : findStyle('default'));
  const reading = readPrompt(payload.prompt);
  const rng = createRng('placeholder', version, payload.prompt, traits.name, payload.seed ?? 0, index);
  const factor = upscaleFactor(payload.upscale_output_factor);
  const finish = (img: RgbaImage): RgbaImage => upscale(colourRules(img, payload, traits.oneBit, traits.retro), factor);

  if (traits.layout === 'walk' || traits.layout === 'animation') {
    const look = lookFor(reading, rng.fork('look'));
    const size = info?.fixedSize ?? { width: payload.width, height: payload.height };
    const table = layoutForStyle(traits.name);
    const drawn = layoutFrames(traits.name, size, reading, look, rng.fork('layout'));
    let frames =
      drawn ??
      (traits.layout === 'walk'
        ? walkFrames(reading, look, rng.fork('walk'), /idle/.test(traits.name))
        : animationFrames(traits.name, size.width, size.height, reading, look, rng.fork('anim')));
    if (payload.input_image) {
      const input = decodeInputImage(payload.input_image);
      const strength = payload.strength ?? DEFAULT_STRENGTH;
      // The reference tints the figure: each frame is derived from it, keeping the animation's shape.
      frames = frames.map((f) => deriveFromInput(input, f, Math.max(0.6, strength), true));
    }
    frames = frames.map(finish);
    if (payload.return_spritesheet) {
      // Styles with a grid of their own (rotation's 3x3, walk_idle, battle) place cells as the table says.
      const sheet = table && (drawn || table.sheet.kind === 'cells') ? layoutSheet(frames, table)
        : traits.layout === 'walk' ? walkSheet(frames) : strip(frames);
      return png(sheet);
    }
    const gif = encodeGif(frames, { delayMs: traits.layout === 'walk' ? WALK_DELAY_MS : ANIMATION_DELAY_MS, loop: true });
    return { format: 'gif', bytes: gif, width: frames[0]!.width, height: frames[0]!.height };
  }

  if (isTilesetStyle(payload.prompt_style)) {
    return png(finish(drawTileset(payload.width, payload.height, payload.prompt, payload.extra_prompt, rng.fork('tileset'), traits.detail)));
  }

  let img = renderStill({
    width: payload.width,
    height: payload.height,
    reading,
    traits,
    rng,
    transparent: payload.remove_bg === true,
    tileX: payload.tile_x === true,
    tileY: payload.tile_y === true,
  });
  if (payload.input_image) {
    img = deriveFromInput(decodeInputImage(payload.input_image), img, payload.strength ?? DEFAULT_STRENGTH, payload.remove_bg === true);
  }
  return png(finish(img));
}

/** The manifest validator normally stops these; the emulator may not, so fail with a sentence. */
function checkSize(payload: ApiPayload): void {
  for (const [field, v] of [['width', payload.width], ['height', payload.height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) {
      throw new RetroSpritesError('bad-request', `placeholder: ${field} must be a whole number from 1 to ${MAX_SIDE}, got ${String(v)}`);
    }
  }
  const k = upscaleFactor(payload.upscale_output_factor);
  if (payload.width * k > MAX_SIDE * 4 || payload.height * k > MAX_SIDE * 4) {
    throw new RetroSpritesError('bad-request', `placeholder: upscale_output_factor ${k} makes the image too large`);
  }
}

/** 1_bit and input_palette are the last word on colour, applied after everything else is drawn. */
function colourRules(img: RgbaImage, payload: ApiPayload, oneBit: boolean, retro: boolean): RgbaImage {
  let out = img;
  if (oneBit) {
    const palette = payload.input_palette ? paletteFromPng(payload.input_palette) : [];
    const ink = palette.length >= 2 ? darkest(palette) : INK;
    const paper = palette.length >= 2 ? lightest(palette) : PAPER;
    out = toOneBit(out, ink, paper);
    return out;
  }
  if (retro) out = posterize(out);
  if (payload.input_palette) out = mapToPalette(out, paletteFromPng(payload.input_palette));
  return out;
}

function darkest(p: Rgb[]): Rgb {
  return p.reduce((a, b) => (a[0] + a[1] + a[2] <= b[0] + b[1] + b[2] ? a : b));
}

function lightest(p: Rgb[]): Rgb {
  return p.reduce((a, b) => (a[0] + a[1] + a[2] >= b[0] + b[1] + b[2] ? a : b));
}

/** An integer factor above 1 enlarges; 1, null, absent or anything else means native size. */
export function upscaleFactor(f: number | null | undefined): number {
  return typeof f === 'number' && Number.isInteger(f) && f > 1 ? f : 1;
}

function strip(frames: RgbaImage[]): RgbaImage {
  const f0 = frames[0]!;
  const sheet = createImage(f0.width * frames.length, f0.height);
  frames.forEach((f, i) => blit(sheet, f, i * f0.width, 0));
  return sheet;
}

function png(img: RgbaImage): GeneratedImage {
  return { format: 'png', bytes: encodePng(img), width: img.width, height: img.height };
}
