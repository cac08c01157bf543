import type { z } from 'zod';
import { suggest } from '../catalog.js';
import type { Diagnostic } from '../errors.js';
import { ENTRY_KEYS, entrySchema, fieldDoc, type ManifestEntry } from './schema.js';
import { locate, type YamlSource } from './yaml-source.js';

/** Fields of the newer API the plugin does not send (it manages them itself or cannot use them). */
const UNSUPPORTED_API_FIELDS: Record<string, string> = {
  check_cost: 'the plugin asks for prices itself (`retro-sprites generate --dry-run`)',
  async: 'the plugin waits for results itself',
  upload_outputs: 'results are kept in the cache folder',
  reference_images: 'not supported yet; use input_image',
  bypass_prompt_expansion: 'not supported yet',
  return_pre_palette: 'not supported yet: it adds images the atlas cannot name',
  return_non_bg_removed: 'not supported yet: it adds images the atlas cannot name',
  frames_duration: 'not supported yet; set frame_rate for playback speed',
};

const NESTED_KEYS: Record<string, readonly string[]> = {
  animation: ['directions', 'frames', 'order'],
  origin: ['x', 'y'],
};

type Path = readonly (string | number)[];

/**
 * Checks one sprite entry (or `defaults`) against the zod schema and turns each issue into a
 * diagnostic at the offending node, with a sentence saying what a valid value looks like.
 */
export function validateEntry(
  src: YamlSource,
  base: Path,
  value: unknown,
  what: string,
): { entry?: ManifestEntry; diagnostics: Diagnostic[] } {
  const result = entrySchema.safeParse(value);
  if (result.success) return { entry: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) collect(issue, [], src, base, value, what, diagnostics, seen);
  return { diagnostics };
}

function collect(
  issue: z.core.$ZodIssue,
  prefix: Path,
  src: YamlSource,
  base: Path,
  value: unknown,
  what: string,
  out: Diagnostic[],
  seen: Set<string>,
): void {
  const rel: Path = [...prefix, ...(issue.path as (string | number)[])];
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      const at = [...rel, key];
      const id = 'k:' + at.join('.');
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(unknownKey(src, [...base, ...at], key, rel, what));
    }
    return;
  }
  if (issue.code === 'invalid_union') {
    // Report against the branch the user evidently meant (the one whose type matches the value).
    const branch = issue.errors.find((issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (branch && branch.length) {
      for (const i of branch) collect(i, rel, src, base, value, what, out, seen);
      return;
    }
  }
  const top = String(rel[0] ?? '');
  const id = 'v:' + rel.join('.');
  if (seen.has(id) || seen.has('v:' + top)) return;
  seen.add(id);
  const docKey = top === 'animation' && typeof rel[1] === 'string' ? `animation.${rel[1]}` : top;
  const doc = fieldDoc(docKey);
  const expects = top === 'origin' && rel.length > 1 ? 'a number from 0 to 1' : doc?.expects;
  const got = valueAt(value, rel);
  const name = rel.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
  out.push({
    severity: 'error',
    code: 'invalid-value',
    message: `${name} must be ${expects ?? 'a valid value'}; got ${show(got)}`,
    location: locate(src, [...base, ...rel]),
    hint: hintFor(docKey, got, expects),
  });
}

function unknownKey(src: YamlSource, at: Path, key: string, parent: Path, what: string): Diagnostic {
  const scope = parent.length ? String(parent[0]) : '';
  const candidates = scope ? NESTED_KEYS[scope] ?? [] : ENTRY_KEYS;
  const close = suggest(key, candidates);
  let hint: string;
  if (!scope && UNSUPPORTED_API_FIELDS[key]) hint = `the plugin does not pass ${key} to the API: ${UNSUPPORTED_API_FIELDS[key]}`;
  else if (close.length) hint = `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}?`;
  else hint = `known keys: ${candidates.join(', ')}`;
  return {
    severity: 'error',
    code: 'unknown-key',
    message: `unknown key ${JSON.stringify(key)} in ${scope ? `${scope} of ` : ''}${what}`,
    location: locate(src, at, 'key'),
    hint,
  };
}

function hintFor(key: string, got: unknown, expects: string | undefined): string {
  if (expects === 'true or false' && typeof got === 'string' && /^(yes|no|on|off|y|n)$/i.test(got)) {
    return `YAML 1.2 reads ${got} as text; write true or false`;
  }
  if (typeof got === 'number' && Number.isNaN(got)) return `YAML reads .nan as "not a number"; use ${expects}`;
  if (typeof got === 'number' && (!Number.isFinite(got) || Math.abs(got) > Number.MAX_SAFE_INTEGER)) {
    return `that number is far too large; use ${expects}`;
  }
  if (typeof got === 'string' && /^-?\d+(\.\d+)?\s*px$/i.test(got)) return 'write the number alone, without "px"';
  if (typeof got === 'string' && expects && /integer|number/.test(expects) && /^\s*-?\d/.test(got)) {
    return 'remove the quotes so YAML reads it as a number';
  }
  if (key === 'prompt' && got !== undefined && typeof got !== 'string') return 'put the prompt in quotes';
  if (key === 'seed' && typeof got === 'number' && Number.isInteger(got) && got < 0) return 'seeds are non-negative; drop the minus sign';
  if (key === 'origin') return 'write origin: [0.5, 1] for bottom-centre, or origin: { x: 0.5, y: 1 }';
  if (key === 'animation') return 'write animation: true, or a mapping such as animation: { directions: [down, up], frames: 4, order: rows }';
  return `use ${expects ?? 'a valid value'}`;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'string') return `${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)} (text)`;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan (not a number)';
    return Number.isFinite(v) ? String(v) : v > 0 ? 'infinity (a number too large to read)' : 'minus infinity (a number too large to read)';
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'a mapping';
}
