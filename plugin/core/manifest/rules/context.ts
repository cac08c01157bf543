import type { Advice, Diagnostic } from '../../errors.js';
import type { SourceLocation } from '../../location.js';
import type { ResolvedInput } from '../input-file.js';
import type { ManifestEntry } from '../schema.js';

/** A field's value and the YAML node it came from (the sprite's own key, or `defaults`). */
export interface Sourced<T = unknown> {
  value: T;
  loc: SourceLocation;
}

export interface SpriteInput {
  sprite: string;
  atlas: string;
  file: string;
  /** Location of the sprite's name in the manifest. */
  location: SourceLocation;
  entry: ManifestEntry;
  defaults?: ManifestEntry;
  /** Where a key of the entry (or of defaults) sits. */
  entryLoc(key: string): SourceLocation;
  defaultsLoc(key: string): SourceLocation;
}

export interface BuildContext {
  allowUnknownStyles: boolean;
  /** Reads a referenced image (cached per run); throws InputFileError. */
  readInput(written: string, manifestFile: string): Promise<ResolvedInput>;
}

/** `advice`: the part of the hint that names a setting, in each face's words. */
export type Report = (code: string, message: string, location: SourceLocation, hint: string, advice?: Advice) => void;

/** What every rule reads (one sprite's merged fields) and how it reports a finding. */
export interface RuleContext {
  input: SpriteInput;
  build: BuildContext;
  /** The sprite's name, quoted for messages. */
  quoted: string;
  fields: Map<string, Sourced>;
  get<T>(key: string): Sourced<T> | undefined;
  error: Report;
  warn: Report;
}

export function at(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** Merges `defaults` under the sprite's own keys, each value with the node it came from. */
export function ruleContext(input: SpriteInput, build: BuildContext, diagnostics: Diagnostic[]): RuleContext {
  const quoted = JSON.stringify(input.sprite);
  // A finding located in `defaults` is about one sprite among many: name it.
  const ownLines = new Set<string>([at(input.location), ...Object.keys(input.entry).map((k) => at(input.entryLoc(k)))]);
  const about = (message: string, location: SourceLocation) => (ownLines.has(at(location)) ? message : `sprite ${quoted}: ${message}`);
  const report = (severity: Diagnostic['severity']): Report => (code, message, location, hint, advice) =>
    diagnostics.push({ severity, code, message: about(message, location), location, hint, ...(advice ? { advice } : {}) });
  const error = report('error');
  const fields = new Map<string, Sourced>();
  for (const [layer, where] of [[input.defaults, input.defaultsLoc], [input.entry, input.entryLoc]] as const) {
    if (!layer) continue;
    for (const [k, v] of expandSize(layer, where, error)) fields.set(k, v);
  }
  return {
    input,
    build,
    quoted,
    fields,
    get: <T>(key: string) => fields.get(key) as Sourced<T> | undefined,
    error,
    warn: report('warning'),
  };
}

/** One layer's keys, with `size` expanded into width and height (located at `size`). */
function expandSize(layer: ManifestEntry, where: (key: string) => SourceLocation, error: Report): Map<string, Sourced> {
  const out = new Map<string, Sourced>();
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined || k === 'size') continue;
    out.set(k, { value: v, loc: where(k) });
  }
  if (layer.size !== undefined) {
    if (layer.width !== undefined || layer.height !== undefined) {
      error('size-and-width', 'size and width/height are both given', where('size'),
        'size is shorthand for width = height: keep either size or width and height');
    }
    // Fill in what the layer left out, so the conflict above is the only error reported.
    if (layer.width === undefined) out.set('width', { value: layer.size, loc: where('size') });
    if (layer.height === undefined) out.set('height', { value: layer.size, loc: where('size') });
  }
  return out;
}
