import { createHash } from 'node:crypto';
import { decodePng } from './image/png.js';
import type { ApiPayload } from './payload.js';

/**
 * Bumped when the way keys are computed changes, so old cache entries are never mistaken for new
 * ones (they simply stop matching).
 */
const KEY_FORMAT = 2;

/**
 * JSON with object keys sorted at every depth and no whitespace, so two values that mean the same
 * thing serialize to the same bytes whatever order their keys were written in. `undefined` object
 * members are dropped (as JSON.stringify does); non-finite numbers are refused because JSON would
 * silently turn them into `null` and make different requests collide.
 */
export function canonicalJson(value: unknown): string {
  return write(value, []);
}

// Plain loops and concatenation: a build keys every sprite before anything is warm, and this runs
// thousands of times in V8's interpreter before it is ever optimized.
function write(value: unknown, stack: object[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
  const obj = value as object;
  if (stack.includes(obj)) throw new TypeError('canonicalJson: circular structure');
  stack.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      const v: unknown = obj[i];
      out += (i ? ',' : '') + (v === undefined ? 'null' : write(v, stack));
    }
    out += ']';
  } else {
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec).sort();
    out = '{';
    for (const k of keys) {
      const v = rec[k];
      if (v === undefined) continue;
      out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + write(v, stack);
    }
    out += '}';
  }
  stack.pop();
  return out;
}

/**
 * A referenced image as the key sees it: its size and the sha256 of its RGB pixels. The API
 * answers to pixels, not to how a PNG encoder compressed them, so a zlib that deflates differently
 * on another machine or Node version must not make a team pay again for art it has.
 */
function pixelIdentity(base64: string): string {
  try {
    const image = decodePng(Buffer.from(base64, 'base64'));
    const rgb = Buffer.alloc(image.width * image.height * 3);
    for (let i = 0, o = 0; i < image.data.length; i += 4, o += 3) {
      rgb[o] = image.data[i]!;
      rgb[o + 1] = image.data[i + 1]!;
      rgb[o + 2] = image.data[i + 2]!;
    }
    return `rgb:${image.width}x${image.height}:${createHash('sha256').update(rgb).digest('hex')}`;
  } catch {
    // Not a PNG we can read: the bytes themselves are all there is to key on.
    return `bytes:${createHash('sha256').update(base64, 'utf8').digest('hex')}`;
  }
}

/**
 * Content key of a request: sha256 (hex) over the canonical payload and the provider's identity.
 * `check_cost` only asks for a price, it does not change the images, so it is left out; referenced
 * images count by their pixels.
 */
export function cacheKey(payload: ApiPayload, provider: { id: string; version: string }): string {
  const { check_cost: _ignored, ...rest } = payload;
  const keyed: Record<string, unknown> = { ...rest };
  if (rest.input_image !== undefined) keyed.input_image = pixelIdentity(rest.input_image);
  if (rest.input_palette !== undefined) keyed.input_palette = pixelIdentity(rest.input_palette);
  if (rest.extra_input_image !== undefined) keyed.extra_input_image = pixelIdentity(rest.extra_input_image);
  if (rest.reference_images !== undefined) keyed.reference_images = rest.reference_images.map(pixelIdentity);
  const material = canonicalJson({
    format: KEY_FORMAT,
    provider: { id: provider.id, version: provider.version },
    payload: keyed,
  });
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/** The first 12 hex digits of a key, enough to tell sprites apart in listings. */
export function shortKey(key: string): string {
  return key.slice(0, 12);
}
