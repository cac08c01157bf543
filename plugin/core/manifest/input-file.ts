import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RetroSpritesError, type ErrorCode } from '../errors.js';
import { decodePng, encodePng, isPng } from '../image/png.js';
import type { RgbaImage } from '../image/bitmap.js';
import { suggest } from '../catalog.js';

/** Reference images are small; a huge file is a wrong path, not a reference. */
export const MAX_INPUT_FILE_BYTES = 20 * 1024 * 1024;

/** Why a referenced file cannot be used, with a sentence on how to fix it. */
export class InputFileError extends RetroSpritesError {
  readonly hint: string;
  constructor(code: ErrorCode, message: string, hint: string) {
    super(code, message);
    this.name = 'InputFileError';
    this.hint = hint;
  }
}

export interface ResolvedInput {
  /** Absolute path as written (resolved against the manifest's folder), for watching. */
  absolute: string;
  /** Base64 of the RGB PNG the API gets, no `data:` prefix. */
  base64: string;
}

/**
 * Resolves a path written in a manifest and prepares the image the API wants. The path must stay
 * inside the project root both as written and after following symlinks, so a manifest cannot read
 * (and upload) files from elsewhere on the machine.
 */
export async function readInputImage(
  written: string,
  manifestFile: string,
  root: string,
  rootReal: string,
): Promise<ResolvedInput> {
  const shown = JSON.stringify(written);
  if (path.isAbsolute(written) || /^[A-Za-z]:[\\/]/.test(written)) {
    throw new InputFileError('path-absolute', `${shown} is an absolute path; paths are relative to the manifest`,
      'write the path relative to the manifest file, inside the project');
  }
  const absolute = path.resolve(path.dirname(manifestFile), written);
  if (!isInside(root, absolute)) {
    throw new InputFileError('path-outside-root', `${shown} resolves to ${path.relative(root, absolute)}, outside the project root`,
      'keep reference images inside the project, e.g. next to the manifest, and point at them from there');
  }
  let real: string;
  try {
    real = await fs.realpath(absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new InputFileError('file-not-found', `file not found: ${shown} (looked for ${path.relative(root, absolute)})`,
        await missingFileHint(absolute));
    }
    throw new InputFileError('file-unreadable', `cannot read ${shown}: ${(err as Error).message}`, 'check the file\'s permissions');
  }
  if (!isInside(rootReal, real)) {
    throw new InputFileError('path-outside-root', `${shown} is a symlink to ${real}, outside the project root`,
      'copy the image into the project instead of linking to it');
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) {
    throw new InputFileError('not-a-file', `${shown} is a folder, not an image`, 'point at a PNG file inside it');
  }
  if (stat.size > MAX_INPUT_FILE_BYTES) {
    throw new InputFileError('input-too-large', `${shown} is ${stat.size} bytes; reference images are limited to ${MAX_INPUT_FILE_BYTES} bytes`,
      'use a smaller image; the API wants small references');
  }
  const bytes = new Uint8Array(await fs.readFile(real));
  if (!isPng(bytes)) {
    const kind = sniff(bytes);
    throw new InputFileError('not-an-image', kind ? `${shown} is a ${kind} file, not a PNG` : `${shown} is not an image (not a PNG file)`,
      kind && kind !== 'text' ? 'convert it to PNG; the plugin reads PNG reference images' : 'point at a PNG image');
  }
  let image: RgbaImage;
  try {
    image = decodePng(bytes, shown);
  } catch (err) {
    throw new InputFileError('not-an-image', (err as Error).message, 're-export the image as PNG from an image editor');
  }
  return { absolute, base64: Buffer.from(encodePng(flattenOverWhite(image), { rgb: true })).toString('base64') };
}

/** The API wants RGB with no transparency: composite over white, as an image editor would. */
export function flattenOverWhite(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = image.data[i + 3]!;
    for (let c = 0; c < 3; c++) {
      data[i + c] = Math.round((image.data[i + c]! * a + 255 * (255 - a)) / 255);
    }
    data[i + 3] = 255;
  }
  return { width: image.width, height: image.height, data };
}

export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function missingFileHint(absolute: string): Promise<string> {
  try {
    const names = await fs.readdir(path.dirname(absolute));
    const close = suggest(path.basename(absolute), names);
    if (close.length) return `did you mean ${close.map((n) => JSON.stringify(n)).join(' or ')}? Paths are relative to the manifest`;
  } catch {
    // the folder itself is missing; the generic hint below says enough
  }
  return 'check the spelling; paths are relative to the manifest file';
}

function sniff(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 12));
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  if (head.toString('latin1', 0, 4) === 'GIF8') return 'GIF';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'WebP';
  if (head.toString('latin1', 0, 2) === 'BM') return 'BMP';
  if (bytes.length > 0 && bytes.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) return 'text';
  return undefined;
}
