import { describe, expect, it } from 'vitest';
import { createImage } from '../../../../plugin/core/image/bitmap.js';
import { decodeGif } from '../../../../plugin/core/image/gif.js';
import { encodeGif } from '../../../../plugin/core/image/gif-encode.js';
import { decodePng, encodePng } from '../../../../plugin/core/image/png.js';
import { checkImage, decodeBase64, expectedAnswer } from '../../../../plugin/core/providers/retrodiffusion/answer-images.js';
import { parseErrorBody, isNotEnoughCredits } from '../../../../plugin/core/providers/retrodiffusion/api-error.js';
import { readCost } from '../../../../plugin/core/providers/retrodiffusion/answer.js';

function checker(w: number, h: number): Uint8Array {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    img.data.set((x + y) % 2 ? [255, 0, 0, 255] : [0, 0, 255, 128], i);
  }
  return encodePng(img);
}

/** A PNG that is only a signature and an IHDR claiming the given size. */
function pngHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

const still = { count: 1, width: 4, height: 4 };

describe('checking an answered image', () => {
  it('accepts a native PNG untouched', () => {
    const bytes = checker(4, 4);
    const img = checkImage(bytes, still, 'image 1');
    expect(img).toEqual({ format: 'png', bytes, width: 4, height: 4 });
  });

  it('reduces an integer multiple to native size by nearest neighbour', () => {
    const native = decodePng(checker(4, 4));
    const big = createImage(12, 12);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) {
      const s = (Math.floor(y / 3) * 4 + Math.floor(x / 3)) * 4;
      big.data.set(native.data.subarray(s, s + 4), (y * 12 + x) * 4);
    }
    const img = checkImage(encodePng(big), still, 'image 1');
    expect([img.width, img.height]).toEqual([4, 4]);
    expect(Array.from(decodePng(img.bytes).data)).toEqual(Array.from(native.data));
  });

  it('reduces a 2x GIF frame by frame, keeping transparency and delays', () => {
    const frame = (shift: number) => {
      const img = createImage(8, 8);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
        if (Math.floor(x / 2) === shift) img.data.set([200, 40, 40, 255], (y * 8 + x) * 4);
      }
      return img;
    };
    const gif = encodeGif([frame(0), frame(1), frame(2)], { delayMs: [100, 200, 300] });
    const img = checkImage(gif, { count: 1, width: 4, height: 4 }, 'image 1');
    expect([img.format, img.width, img.height]).toEqual(['gif', 4, 4]);
    const decoded = decodeGif(img.bytes);
    expect(decoded.frames.map((f) => f.durationMs)).toEqual([100, 200, 300]);
    const second = decoded.frames[1]!.image;
    const alpha = (x: number, y: number) => second.data[(y * 4 + x) * 4 + 3];
    expect([alpha(0, 0), alpha(1, 0), alpha(2, 0)]).toEqual([0, 255, 0]);
  });

  it('refuses a size that is no multiple, or different multiples per axis', () => {
    expect(() => checkImage(checker(5, 4), still, 'image 1')).toThrow(/image 1 is 5x4, expected 4x4/);
    expect(() => checkImage(checker(8, 12), still, 'image 1')).toThrow(/8x12, expected 4x4/);
  });

  it('refuses a decompression bomb from its header, before decoding', () => {
    expect(() => checkImage(pngHeader(100_000, 100_000), { count: 1, width: 100_000, height: 100_000 }, 'image 1'))
      .toThrow(/claims 100000x100000 pixels; refusing/);
    const gif = Buffer.from('GIF89a\xff\xff\xff\xff\x00\x00\x00;', 'latin1');
    expect(() => checkImage(gif, { count: 1, width: 65535, height: 65535 }, 'image 1')).toThrow(/claims 65535x65535/);
  });

  it('refuses a truncated PNG and bytes that are no image', () => {
    const bytes = checker(4, 4);
    expect(() => checkImage(bytes.subarray(0, bytes.length - 20), still, 'image 1')).toThrow(/image 1 does not decode/);
    expect(() => checkImage(Buffer.from('hello world, not an image'), still, 'image 1')).toThrow(/neither a PNG nor a GIF/);
  });

  it('reads base64 strictly', () => {
    expect(() => decodeBase64('iVBOR w0K!!', 'image 1')).toThrow(/not valid base64/);
    expect(() => decodeBase64(42, 'image 1')).toThrow(/not a base64 string/);
    expect(Buffer.from(decodeBase64('aGk=', 'x')).toString()).toBe('hi');
  });
});

describe('what a payload should answer', () => {
  it('one 48x48 GIF for the seed walk, whatever was asked; a 4x4 sheet of cells with return_spritesheet', () => {
    const walk = { prompt: 'p', width: 64, height: 64, num_images: 3, prompt_style: 'animation_four_angle_walking' };
    expect(expectedAnswer(walk)).toEqual({ count: 1, width: 48, height: 48 });
    expect(expectedAnswer({ ...walk, return_spritesheet: true })).toEqual({ count: 1, width: 192, height: 192, cell: { width: 48, height: 48 } });
    expect(expectedAnswer({ prompt: 'p', width: 32, height: 16, num_images: 4 })).toEqual({ count: 4, width: 32, height: 16 });
  });
});

describe('reading the API\'s shapes', () => {
  it('costs in credits (seed) and USD (newer)', () => {
    expect(readCost({ credit_cost: 2, remaining_credits: 998 })).toEqual({ cost: { amount: 2, unit: 'credits' }, remaining: { amount: 998, unit: 'credits' } });
    expect(readCost({ balance_cost: 0.03, remaining_balance: 9.97 })).toEqual({ cost: { amount: 0.03, unit: 'usd' }, remaining: { amount: 9.97, unit: 'usd' } });
    expect(() => readCost({ base64_images: [] })).toThrow(/no credit_cost or balance_cost/);
  });

  it('all three error shapes, and whatever a proxy sends', () => {
    expect(parseErrorBody('{"detail":{"code":"invalid_style","message":"Unknown style"}}')).toEqual({ message: 'Unknown style', apiCode: 'invalid_style', requestId: undefined });
    expect(parseErrorBody('{"detail":[{"loc":["body","width"],"msg":"Input should be a valid integer"}]}').message).toBe('width: Input should be a valid integer');
    expect(parseErrorBody('{"error":{"code":"not_enough_balance","message":"Not enough balance","request_id":"r-1","details":{"need":0.1}}}'))
      .toEqual({ message: 'Not enough balance ({"need":0.1})', apiCode: 'not_enough_balance', requestId: 'r-1' });
    expect(parseErrorBody('<html><body><h1>502 Bad Gateway</h1></body></html>').message).toBe('502 Bad Gateway');
  });

  it('recognises a refusal for lack of credits', () => {
    expect(isNotEnoughCredits(402, {})).toBe(true);
    expect(isNotEnoughCredits(400, { message: 'Not enough credits to run this request' })).toBe(true);
    expect(isNotEnoughCredits(400, { apiCode: 'insufficient_balance' })).toBe(true);
    expect(isNotEnoughCredits(400, { message: 'width must be between 16 and 512' })).toBe(false);
  });
});
