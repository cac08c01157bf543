import { RetroSpritesError } from '../errors.js';

/**
 * The block structure of a GIF, walked by us rather than by gifuct-js: gifuct-js groups blocks by
 * position, which gives a Graphic Control Extension separated from its image by an Application or
 * Comment Extension (ImageMagick writes GCE, NETSCAPE2.0, gamma, image) a block of its own, and
 * the image none. GIF89a §23 scopes a GCE to the next graphic rendering block, whatever lies
 * between; so does Chromium. The walk reads no pixel data: it only notes where each frame's LZW
 * stream lies, counting frames as it goes, so a limit stops it before any work is spent.
 */

export interface GifControl {
  /** 0-7 as written; see `gif.ts` for how each is played. */
  disposal: number;
  /** Hundredths of a second, as written. */
  delayCs: number;
  transparentIndex?: number;
}

export interface GifFrameBlock {
  left: number;
  top: number;
  width: number;
  height: number;
  interlaced: boolean;
  /** RGB triplets: the local table, else the global one, else none. */
  palette?: Uint8Array;
  control?: GifControl;
  minCodeSize: number;
  /** Offset of the first data sub-block (its length byte). */
  dataAt: number;
}

export interface GifStructure {
  screenWidth: number;
  screenHeight: number;
  frames: GifFrameBlock[];
}

export interface WalkLimits {
  /** Called before each frame is added; throws to stop the walk (frame count, pixel budget). */
  onFrame(frame: GifFrameBlock, index: number): void;
}

const EXTENSION = 0x21;
const IMAGE = 0x2c;
const TRAILER = 0x3b;
const GCE = 0xf9;

export function walkGif(bytes: Uint8Array, what: string, limits: WalkLimits): GifStructure {
  const corrupt = (why: string) => new RetroSpritesError('bad-image', `${what} is not a valid GIF: ${why}`);
  const need = (at: number, n: number, where: string) => {
    if (at + n > bytes.length) throw corrupt(`the file ends inside ${where} (byte ${bytes.length} of ${at + n} needed)`);
  };
  const u16 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8);
  /** Skips a chain of data sub-blocks; returns the offset after its terminator. */
  const skipSubBlocks = (at: number, where: string) => {
    for (;;) {
      need(at, 1, where);
      const n = bytes[at]!;
      if (n === 0) return at + 1;
      need(at, n + 1, where);
      at += n + 1;
    }
  };

  need(0, 13, 'its header');
  const screenWidth = u16(6);
  const screenHeight = u16(8);
  const flags = bytes[10]!;
  let at = 13;
  let globalPalette: Uint8Array | undefined;
  if (flags & 0x80) {
    const size = 3 << ((flags & 7) + 1);
    need(at, size, 'the global colour table');
    globalPalette = bytes.subarray(at, at + size);
    at += size;
  }

  const frames: GifFrameBlock[] = [];
  let control: GifControl | undefined;
  for (;;) {
    // A file that stops between blocks is read as if it ended there, as browsers do.
    if (at >= bytes.length) break;
    const introducer = bytes[at]!;
    if (introducer === TRAILER) break;
    if (introducer === EXTENSION) {
      need(at, 2, 'an extension');
      const label = bytes[at + 1]!;
      if (label === GCE && at + 2 < bytes.length && bytes[at + 2]! >= 4) {
        need(at, 7, 'a graphic control extension');
        const packed = bytes[at + 3]!;
        // A later GCE before the same image replaces an earlier one (Chromium does the same).
        control = { disposal: (packed >> 2) & 7, delayCs: u16(at + 4) };
        if (packed & 1) control.transparentIndex = bytes[at + 6]!;
      }
      at = skipSubBlocks(at + 2, 'an extension');
      continue;
    }
    if (introducer !== IMAGE) throw corrupt(`unexpected byte 0x${introducer.toString(16).padStart(2, '0')} at offset ${at}`);
    need(at, 10, 'an image descriptor');
    const descriptor = at;
    const packed = bytes[at + 9]!;
    let palette = globalPalette;
    at += 10;
    if (packed & 0x80) {
      const size = 3 << ((packed & 7) + 1);
      need(at, size, 'a local colour table');
      palette = bytes.subarray(at, at + size);
      at += size;
    }
    need(at, 1, 'an image');
    const frame: GifFrameBlock = {
      left: u16(descriptor + 1),
      top: u16(descriptor + 3),
      width: u16(descriptor + 5),
      height: u16(descriptor + 7),
      interlaced: (packed & 0x40) !== 0,
      minCodeSize: bytes[at]!,
      dataAt: at + 1,
    };
    if (palette) frame.palette = palette;
    if (control) frame.control = control;
    limits.onFrame(frame, frames.length);
    at = skipSubBlocks(at + 1, `the data of frame ${frames.length}`);
    frames.push(frame);
    control = undefined;
  }
  return { screenWidth, screenHeight, frames };
}
