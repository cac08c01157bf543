import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { createImage, type RgbaImage } from '../../../../plugin/core/image/bitmap.js';
import { encodePng } from '../../../../plugin/core/image/png.js';

/** A small RGB PNG made in the test: a red disc on a light backdrop, as a user's reference image. */
export function referenceImage(size = 64): RgbaImage {
  const img = createImage(size, size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 4;
      const dx = x - size / 2;
      const dy = y - size / 2;
      const inDisc = dx * dx + dy * dy < (size * size) / 9;
      const c = inDisc ? [200 - (y * 2), 60 + x, 50] : [235, 232, 220];
      img.data[o] = Math.max(0, Math.min(255, c[0]!));
      img.data[o + 1] = Math.max(0, Math.min(255, c[1]!));
      img.data[o + 2] = c[2]!;
      img.data[o + 3] = 255;
    }
  }
  return img;
}

/** An 8-colour palette strip, like a user's `input_palette`. */
export function paletteImage(): RgbaImage {
  const colours = [[26, 28, 44], [93, 39, 93], [177, 62, 83], [239, 125, 87], [255, 205, 117], [167, 240, 112], [56, 183, 100], [41, 54, 111]];
  const img = createImage(colours.length, 1);
  colours.forEach((c, i) => {
    img.data.set([c[0]!, c[1]!, c[2]!, 255], i * 4);
  });
  return img;
}

export const b64 = (img: RgbaImage): string => Buffer.from(encodePng(img, { rgb: true })).toString('base64');

const base = { width: 64, height: 64, num_images: 1, seed: 42 } as const;

/** The representative requests a person looks at on the contact sheet (and the goldens pin). */
export const CASES: Record<string, ApiPayload> = {
  knight: { ...base, prompt: 'knight in blue armor with a red cape', prompt_style: 'game_asset', remove_bg: true },
  slime: { ...base, prompt: 'green slime monster', prompt_style: 'game_asset', remove_bg: true },
  coin: { ...base, width: 32, height: 32, prompt: 'gold coin', remove_bg: true },
  gem: { ...base, width: 32, height: 32, prompt: 'blue gem', remove_bg: true },
  potion: { ...base, width: 32, height: 32, prompt: 'red health potion', remove_bg: true },
  tree: { ...base, prompt: 'oak tree', remove_bg: true },
  chest: { ...base, prompt: 'treasure chest', remove_bg: true },
  corgi: { ...base, prompt: 'a cute corgi', remove_bg: true },
  bat: { ...base, prompt: 'purple bat', remove_bg: true },
  wizard: { ...base, prompt: 'old wizard', prompt_style: 'rd_fast__game_asset' },
  mystery: { ...base, prompt: 'a strange thing from the void', remove_bg: true },
  grass: { ...base, prompt: 'lush grass', prompt_style: 'texture', tile_x: true, tile_y: true },
  bricks: { ...base, prompt: 'red bricks wall', prompt_style: 'texture', tile_x: true, tile_y: true },
  water: { ...base, prompt: 'deep water', prompt_style: 'texture', tile_x: true, tile_y: true },
  stone: { ...base, prompt: 'cobblestone', prompt_style: 'mc_texture', tile_x: true, tile_y: true },
  button: { ...base, width: 96, height: 48, prompt: 'blue ui button', prompt_style: 'ui' },
  panel: { ...base, width: 96, height: 96, prompt: 'wooden dialog panel', prompt_style: 'ui' },
  oneBit: { ...base, prompt: 'skeleton warrior', prompt_style: '1_bit' },
  itemSheet: { ...base, width: 128, height: 128, prompt: 'fantasy loot', prompt_style: 'item_sheet', remove_bg: true },
  turnaround: { ...base, width: 192, height: 64, prompt: 'red hooded rogue', prompt_style: 'character_turnaround', remove_bg: true },
  walkSheet: { ...base, width: 48, height: 48, prompt: 'knight in blue armor with a red cape', prompt_style: 'animation_four_angle_walking', return_spritesheet: true },
  walkGif: { ...base, width: 48, height: 48, prompt: 'knight in blue armor with a red cape', prompt_style: 'rd_animation__four_angle_walking' },
  vfx: { ...base, width: 48, height: 48, prompt: 'fire explosion', prompt_style: 'rd_animation__vfx' },
  paletted: { ...base, prompt: 'orange fox', remove_bg: true, input_palette: b64(paletteImage()) },
  img2img: { ...base, prompt: 'red ball', input_image: b64(referenceImage()), strength: 0.35 },
  upscaled: { ...base, width: 32, height: 32, prompt: 'heart', remove_bg: true, upscale_output_factor: 4 },
};
