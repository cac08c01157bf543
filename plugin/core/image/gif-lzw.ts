/**
 * GIF's variable-width LZW, read straight from the data sub-blocks into palette indices.
 * Bounded by construction: at most `pixels` indices are written, whatever the stream says.
 */

const MAX_CODES = 4096;

export type LzwResult =
  | { ok: true }
  /** `written` indices were decoded before the problem. */
  | { ok: false; why: string; written: number };

/**
 * Decodes the stream whose sub-blocks start at `at` into `out` (length = the frame's pixels).
 * The stream must fill the frame: Chromium refuses to show a frame whose data ends early
 * (with or without an end code), so we refuse it too. Data past the last pixel is ignored.
 */
export function decodeLzw(bytes: Uint8Array, at: number, minCodeSize: number, out: Uint8Array): LzwResult {
  const pixels = out.length;
  if (minCodeSize < 1 || minCodeSize > 8) return { ok: false, why: `LZW code size ${minCodeSize} is outside 1..8`, written: 0 };
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const lengthOf = new Uint16Array(MAX_CODES);
  for (let c = 0; c < clear; c++) {
    suffix[c] = c;
    first[c] = c;
    lengthOf[c] = 1;
  }
  let width = minCodeSize + 1;
  let next = clear + 2;
  let prev = -1;
  let written = 0;

  let acc = 0;
  let bits = 0;
  let blockLeft = 0;
  let pos = at;
  let streamDone = false;
  /** The next byte of the sub-block chain, or -1 at its terminator / the file's end. */
  const nextByte = (): number => {
    while (blockLeft === 0) {
      if (streamDone || pos >= bytes.length) return -1;
      blockLeft = bytes[pos++]!;
      if (blockLeft === 0) {
        streamDone = true;
        return -1;
      }
    }
    if (pos >= bytes.length) return -1;
    blockLeft--;
    return bytes[pos++]!;
  };

  while (written < pixels) {
    while (bits < width) {
      const b = nextByte();
      if (b < 0) return { ok: false, why: `its data ends after ${written} of ${pixels} pixels`, written };
      acc |= b << bits;
      bits += 8;
    }
    const code = acc & ((1 << width) - 1);
    acc >>>= width;
    bits -= width;

    if (code === clear) {
      width = minCodeSize + 1;
      next = clear + 2;
      prev = -1;
      continue;
    }
    if (code === end) return { ok: false, why: `its data ends after ${written} of ${pixels} pixels`, written };

    let emit: number;
    if (prev < 0) {
      if (code >= clear) return { ok: false, why: `LZW code ${code} before any entry was defined`, written };
      emit = code;
    } else if (code < next) {
      emit = code;
      if (next < MAX_CODES) add(prev, first[code]!);
    } else if (code === next && next < MAX_CODES) {
      add(prev, first[prev]!);
      emit = code;
    } else {
      return { ok: false, why: `LZW code ${code} is past the table (next is ${next})`, written };
    }
    // Write the string of `emit` back to front, clipped to the frame.
    const n = lengthOf[emit]!;
    let c = emit;
    for (let k = n - 1; k >= 0; k--) {
      if (written + k < pixels) out[written + k] = suffix[c]!;
      c = prefix[c]!;
    }
    written = Math.min(pixels, written + n);
    prev = emit;
  }
  return { ok: true };

  function add(p: number, s: number): void {
    prefix[next] = p;
    suffix[next] = s;
    first[next] = first[p]!;
    lengthOf[next] = lengthOf[p]! + 1;
    next++;
    if (next === 1 << width && width < 12) width++;
  }
}
