import type { Page } from 'playwright-core';
import type { RgbaImage } from '../../plugin/core/image/bitmap.js';
import type { SourceFrames } from './source-frames.js';

/** What Phaser holds for one texture: its pages and every frame, untrimmed. */
export interface PhaserTexture {
  pages: number;
  frames: Map<string, RgbaImage & { page: number }>;
}

/**
 * Every frame of the given textures as Phaser itself parsed it from the emitted atlas: the frame's
 * cut from its page's source image, put back at `spriteSourceSize` inside a `sourceSize` canvas
 * (read from Phaser's Frame data, not from our JSON). A texture without frames of its own (a tiling
 * image) gives its whole `__BASE` frame.
 *
 * The 2D canvas stores premultiplied alpha: opaque pixels come back exact, fully transparent ones
 * as 0,0,0,0 (see `frameMismatches`).
 */
export async function phaserTextures(page: Page, keys: string[]): Promise<Map<string, PhaserTexture>> {
  const raw = await page.evaluate((wanted) => {
    const textures = window.__demo!.game.textures;
    const out: Record<string, { pages: number; frames: Record<string, { width: number; height: number; page: number; rgba: string }> }> = {};
    for (const key of wanted) {
      if (!textures.exists(key)) continue;
      const texture = textures.get(key);
      const names = texture.getFrameNames();
      const frames: (typeof out)[string]['frames'] = {};
      for (const name of names.length > 0 ? names : ['__BASE']) {
        const f = texture.get(name);
        const { sourceSize, spriteSourceSize } = (f as unknown as { data: unknown }).data as { sourceSize: { w: number; h: number }; spriteSourceSize: { x: number; y: number } };
        const canvas = document.createElement('canvas');
        canvas.width = sourceSize.w;
        canvas.height = sourceSize.h;
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(f.source.image as CanvasImageSource, f.cutX, f.cutY, f.cutWidth, f.cutHeight,
          spriteSourceSize.x, spriteSourceSize.y, f.cutWidth, f.cutHeight);
        const bytes = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        frames[name] = { width: canvas.width, height: canvas.height, page: f.sourceIndex, rgba: btoa(binary) };
      }
      out[key] = { pages: texture.source.length, frames };
    }
    return out;
  }, keys);
  return new Map(Object.entries(raw).map(([key, t]) => [key, {
    pages: t.pages,
    frames: new Map(Object.entries(t.frames).map(([name, f]) => [name, {
      width: f.width, height: f.height, page: f.page, data: new Uint8Array(Buffer.from(f.rgba, 'base64')),
    }])),
  }]));
}

/**
 * Where Phaser's frames differ from the pipeline's decoded ones: missing or extra textures and
 * frames, other sizes, other pixels. Opaque pixels must match exactly and transparent ones in
 * alpha; a partly transparent pixel may be off by the canvas's premultiply rounding (255 / alpha).
 */
export function frameMismatches(drawn: Map<string, PhaserTexture>, expected: SourceFrames): string[] {
  const out: string[] = [];
  for (const [key, frames] of expected) {
    const texture = drawn.get(key);
    if (!texture) {
      out.push(`${key}: no such texture in Phaser`);
      continue;
    }
    for (const name of texture.frames.keys()) if (!frames.has(name)) out.push(`${key}:${name}: a frame no source has`);
    for (const [name, want] of frames) {
      const got = texture.frames.get(name);
      if (!got) {
        out.push(`${key}:${name}: missing in Phaser's texture`);
        continue;
      }
      if (got.width !== want.width || got.height !== want.height) {
        out.push(`${key}:${name}: ${got.width}x${got.height}, source ${want.width}x${want.height}`);
        continue;
      }
      let bad = 0;
      let first = '';
      for (let i = 0; i < want.data.length; i += 4) {
        const a = want.data[i + 3]!;
        const slack = a === 255 || a === 0 ? 0 : Math.ceil(255 / a);
        const same = got.data[i + 3] === a && (a === 0 || [0, 1, 2].every((c) => Math.abs(got.data[i + c]! - want.data[i + c]!) <= slack));
        if (same) continue;
        if (bad++ === 0) {
          const p = i / 4;
          first = ` first at (${p % want.width},${Math.floor(p / want.width)}): ${[...got.data.subarray(i, i + 4)]} vs ${[...want.data.subarray(i, i + 4)]}`;
        }
      }
      if (bad > 0) out.push(`${key}:${name} (page ${got.page}): ${bad} pixels differ from the source frame;${first}`);
    }
  }
  return out;
}
