import { KNOWN_MODELS, RETIRED_MODELS, findStyle, suggest, ALL_STYLE_NAMES, type StyleInfo } from '../core/catalog.js';
import { decodePng, isPng } from '../core/image/png.js';
import type { ApiPayload } from '../core/payload.js';

/** An answer the emulator refuses with, in one of the API's error shapes. */
export interface Refusal {
  status: number;
  body: unknown;
}

/** A payload the emulator accepted, with what the API would actually make of it. */
export interface AcceptedPayload {
  payload: ApiPayload;
  style?: StyleInfo;
  /** Size of each answered image (animation styles ignore the asked size). */
  width: number;
  height: number;
  count: number;
  sheet: boolean;
}

/** FastAPI's shape for a field that fails type validation. */
function fieldError(field: string, msg: string, type = 'value_error'): Refusal {
  return { status: 422, body: { detail: [{ loc: ['body', field], msg, type }] } };
}

/** The v1 shape for a request that is well typed but not acceptable. */
function badRequest(code: string, message: string): Refusal {
  return { status: 400, body: { detail: { code, message } } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Validates a body as the real API would: types first (422, FastAPI style), then the catalog's rules
 * (400): known model and style, sizes within the style's range, image counts, animation rules (the
 * seed: RD_FLUX only, 48x48 whatever is asked, one image), input images as raw base64 RGB PNGs.
 */
export function validatePayload(body: unknown): AcceptedPayload | Refusal {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return fieldError('body', 'Input should be a valid dictionary', 'dict_type');
  const p = body as Record<string, unknown>;
  if (typeof p.prompt !== 'string') return fieldError('prompt', 'Field required', 'missing');
  for (const f of ['width', 'height'] as const) {
    if (p[f] === undefined) return fieldError(f, 'Field required', 'missing');
    if (!Number.isInteger(p[f])) return fieldError(f, 'Input should be a valid integer', 'int_type');
  }
  if (p.reference_images !== undefined && !(Array.isArray(p.reference_images) && p.reference_images.every((r) => typeof r === 'string'))) {
    return fieldError('reference_images', 'Input should be a valid list of strings', 'list_type');
  }
  for (const f of ['num_images', 'seed', 'frames_duration'] as const) {
    if (p[f] !== undefined && !Number.isInteger(p[f])) return fieldError(f, 'Input should be a valid integer', 'int_type');
  }
  for (const f of ['remove_bg', 'tile_x', 'tile_y', 'return_spritesheet', 'check_cost', 'bypass_prompt_expansion', 'include_downloadable_data', 'upload_outputs'] as const) {
    if (p[f] !== undefined && typeof p[f] !== 'boolean') return fieldError(f, 'Input should be a valid boolean', 'bool_type');
  }
  for (const f of ['model', 'prompt_style', 'input_image', 'input_palette', 'extra_prompt', 'extra_input_image'] as const) {
    if (p[f] !== undefined && typeof p[f] !== 'string') return fieldError(f, 'Input should be a valid string', 'string_type');
  }
  if (p.strength !== undefined && (typeof p.strength !== 'number' || p.strength < 0 || p.strength > 1)) {
    return fieldError('strength', 'Input should be a number between 0 and 1');
  }
  const upscale = p.upscale_output_factor;
  if (upscale !== undefined && upscale !== null && !(Number.isInteger(upscale) && (upscale as number) >= 1 && (upscale as number) <= 8)) {
    return fieldError('upscale_output_factor', 'Input should be an integer from 1 to 8, or null');
  }
  const payload = p as unknown as ApiPayload;

  if (payload.model !== undefined && !(KNOWN_MODELS as readonly string[]).includes(payload.model)) {
    const instead = RETIRED_MODELS[payload.model];
    return badRequest('invalid_model', instead
      ? `Model ${payload.model} is no longer supported, please use ${instead} instead`
      : `Unknown model ${payload.model}; available models: ${KNOWN_MODELS.join(', ')}`);
  }
  if (!payload.prompt.trim()) return badRequest('invalid_prompt', 'The prompt must not be empty');

  let style: StyleInfo | undefined;
  if (payload.prompt_style !== undefined) {
    style = findStyle(payload.prompt_style);
    if (!style) {
      const near = suggest(payload.prompt_style, ALL_STYLE_NAMES);
      return badRequest('invalid_style', `Unknown prompt_style '${payload.prompt_style}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
    }
  }
  const count = payload.num_images ?? 1;
  const maxImages = style?.maxImages ?? 16;
  if (count < 1 || count > maxImages) {
    return badRequest('invalid_num_images', style?.animated
      ? `Animations only support generating one image at a time (num_images: ${count})`
      : `num_images must be between 1 and ${maxImages} (got ${count})`);
  }
  let width = payload.width;
  let height = payload.height;
  if (style?.fixedSize) {
    // The seed: "bigger or smaller resolutions will be ignored and default to 48x48".
    width = style.fixedSize.width;
    height = style.fixedSize.height;
  } else {
    const min = style?.minSize ?? 16;
    const max = style?.maxSize ?? 512;
    for (const [name, v] of [['width', width], ['height', height]] as const) {
      if (v < min || v > max) {
        return badRequest('invalid_size', `${name} must be between ${min} and ${max} for ${style ? `style ${style.name}` : 'this model'} (got ${v})`);
      }
    }
    if (style?.square && width !== height) return badRequest('invalid_size', `style ${style.name} needs a square size (got ${width}x${height})`);
  }
  if (style?.sizeStep && (width % style.sizeStep !== 0 || height % style.sizeStep !== 0)) {
    return badRequest('invalid_size', `style ${style.name} needs sizes that are a multiple of ${style.sizeStep} (got ${width}x${height})`);
  }
  const refs = payload.reference_images ?? [];
  const maxRefs = style?.maxReferenceImages ?? 0;
  if (refs.length > maxRefs) {
    return badRequest('invalid_reference_images', `${style ? `style ${style.name}` : 'this model'} takes at most ${maxRefs} reference_images (got ${refs.length})`);
  }
  for (const [i, r] of refs.entries()) {
    const problem = checkInputImage(r, true);
    if (problem) return badRequest('invalid_reference_images', `reference_images[${i}]: ${problem}`);
  }
  if ((payload.extra_prompt !== undefined || payload.extra_input_image !== undefined) && !style?.extraInputs) {
    return badRequest('bad_request', 'extra_prompt and extra_input_image apply only to rd_tile__tileset_advanced');
  }
  if (payload.frames_duration !== undefined && ![4, 6, 8, 10, 12, 16].includes(payload.frames_duration)) {
    return fieldError('frames_duration', 'Input should be 4, 6, 8, 10, 12 or 16');
  }
  if (style?.requiresInputImage && !payload.input_image) {
    return badRequest('input_image_required', `style ${style.name} requires an input_image`);
  }
  for (const f of ['input_image', 'input_palette', 'extra_input_image'] as const) {
    const v = payload[f];
    if (v === undefined) continue;
    const problem = checkInputImage(v, f === 'input_image');
    if (problem) return badRequest(`invalid_${f}`, `${f}: ${problem}`);
  }
  const sheet = Boolean(style?.animated && payload.return_spritesheet);
  return { payload, ...(style ? { style } : {}), width, height, count, sheet };
}

function checkInputImage(b64: string, mustBeOpaque: boolean): string | undefined {
  if (b64.startsWith('data:')) return 'send raw base64, without the data:image/png;base64, prefix';
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return 'not valid base64';
  const bytes = Buffer.from(b64, 'base64');
  if (!isPng(bytes)) return 'not a PNG image';
  try {
    const img = decodePng(bytes);
    if (mustBeOpaque) {
      for (let i = 3; i < img.data.length; i += 4) {
        if (img.data[i] !== 255) return 'must be an RGB image with no transparency';
      }
    }
  } catch (err) {
    return `does not decode (${(err as Error).message})`;
  }
  return undefined;
}
