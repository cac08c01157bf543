import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { markUsed } from '../fs/lru-folder.js';
import { readSealedJson, writeSealedJson } from '../fs/sealed-json.js';
import type { SourceLocation } from '../location.js';
import type { ApiPayload } from '../payload.js';
import type { GenerationRequest, SpriteOptions } from '../request.js';
import { PLUGIN_VERSION } from '../version.js';
import type { ParseCache } from './parse-cache.js';

/**
 * A manifest's sprites as their requests, kept across processes beside its parse (`.parses/`).
 * After one sprite's edit, a build would otherwise check and build every sprite of every unchanged
 * file again: at 8000 sprites that is half a second, and each gives what it gave last time.
 *
 * What a file's requests depend on is all in the entry's key: the file's bytes (their hash) and
 * path (every location names it; the atlas name may be its name), `allowUnknownStyles`, and this
 * package's version (its rules). So only files whose sprites read nothing else are kept: an input
 * image can change while the manifest does not. Only clean loads are kept (warnings are kept with
 * them), so a file with a mistake always gets its diagnostics from the real checks. The entries are
 * sealed like every derived file (fs/sealed-json.ts); anything that does not open is a miss.
 */

const FORMAT = 2;
const HEX64 = /^[0-9a-f]{64}$/;
/** Larger than the requests of a 1 MiB manifest could be. */
const MAX_ENTRY_BYTES = 32 * 1024 * 1024;

export interface KeptSprite {
  name: string;
  /** Where the sprite's name is; also its request's `source`. */
  location: SourceLocation;
  request: GenerationRequest;
  /** Its build's warnings. */
  diagnostics: Diagnostic[];
}

export interface KeptFile {
  atlas: string;
  /** The top level's warnings. */
  topDiagnostics: Diagnostic[];
  sprites: KeptSprite[];
}

/**
 * How requests are keyed (cache-key.ts, under one provider). Keys are kept beside the requests
 * under its name and used only under the same one: keying 8000 payloads is 50 ms of a build.
 */
export interface PayloadKeys {
  /** Names how keys are made (the provider's id and version). */
  readonly name: string;
  of(payload: ApiPayload): string;
  /** Makes a payload's key known without computing it: one kept with its requests. */
  know(payload: ApiPayload, key: string): void;
}

type Loc = [line: number, column: number];
/** One sprite as stored: every location is in the manifest itself, so it keeps only line and column. */
type StoredSprite = [name: string, at: Loc, payload: ApiPayload, options: SpriteOptions, fields: Record<string, Loc>, diagnostics: Diagnostic[]];
interface Stored {
  atlas: string;
  top: Diagnostic[];
  sprites: StoredSprite[];
  /** The sprites' keys in order, under the keying named. */
  keys?: { name: string; list: string[] };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function entryOf(cache: ParseCache, file: string, textHash: string, allowUnknownStyles: boolean): { path: string; key: string } {
  const key = sha256(JSON.stringify([PLUGIN_VERSION, file, textHash, allowUnknownStyles]));
  return { path: join(cache.dir, `${key}.requests.json`), key };
}

/**
 * The file's kept requests for exactly this text, path and setting; undefined when there are none
 * that open. Their kept keys are made known to `keys` when they were made its way.
 */
export async function readKeptRequests(cache: ParseCache, file: string, textHash: string, allowUnknownStyles: boolean, keys?: PayloadKeys): Promise<KeptFile | undefined> {
  const { path, key } = entryOf(cache, file, textHash, allowUnknownStyles);
  const stored = await readSealedJson(path, { format: FORMAT, key }, MAX_ENTRY_BYTES);
  if (!validStored(stored)) return undefined;
  markUsed(path);
  const loc = (l: Loc): SourceLocation => ({ file, line: l[0], column: l[1] });
  const known = keys && stored.keys?.name === keys.name ? stored.keys.list : undefined;
  return {
    atlas: stored.atlas,
    topDiagnostics: stored.top,
    sprites: stored.sprites.map(([name, at, payload, options, fields, diagnostics], i) => {
      const location = loc(at);
      const fieldSources: GenerationRequest['fieldSources'] = {};
      for (const [k, l] of Object.entries(fields)) fieldSources[k] = loc(l);
      if (known) keys!.know(payload, known[i]!);
      return { name, location, diagnostics, request: { sprite: name, atlas: stored.atlas, payload, options, source: location, fieldSources, dependencies: [] } };
    }),
  };
}

/**
 * Keeps a file's requests when they can stand for it: each sprite built, reading no other file,
 * every location in the file itself. Best effort: a lost write is a later rebuild.
 */
export async function keepRequests(cache: ParseCache, file: string, textHash: string, allowUnknownStyles: boolean, kept: KeptFile, keys?: PayloadKeys): Promise<void> {
  const here = (l: SourceLocation | undefined): l is SourceLocation => l !== undefined && l.file === file;
  const same = (a: SourceLocation, b: SourceLocation) => a.file === b.file && a.line === b.line && a.column === b.column;
  const sprites: StoredSprite[] = [];
  for (const s of kept.sprites) {
    const r = s.request;
    if (r.dependencies.length > 0 || r.sprite !== s.name || r.atlas !== kept.atlas || !same(r.source, s.location) || !here(s.location)) return;
    const fields: Record<string, Loc> = {};
    for (const [k, l] of Object.entries(r.fieldSources)) {
      if (!here(l)) return;
      fields[k] = [l.line, l.column];
    }
    sprites.push([s.name, [s.location.line, s.location.column], r.payload, r.options, fields, s.diagnostics]);
  }
  const { path, key } = entryOf(cache, file, textHash, allowUnknownStyles);
  try {
    await cache.beforeWrite?.();
    await mkdir(cache.dir, { recursive: true });
    const keyed = keys ? { keys: { name: keys.name, list: kept.sprites.map((s) => keys.of(s.request.payload)) } } : {};
    await writeSealedJson(path, { format: FORMAT, key }, JSON.stringify({ atlas: kept.atlas, top: kept.topDiagnostics, sprites, ...keyed } satisfies Stored));
  } catch {
    // A read-only cache folder (CI) just builds every time.
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPos = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1;
const isLoc = (l: unknown): l is Loc => Array.isArray(l) && l.length === 2 && isPos(l[0]) && isPos(l[1]);

/** The shape keepRequests writes (the entry is sealed; this is belt and braces). */
function validStored(v: unknown): v is Stored {
  if (!isRecord(v) || typeof v.atlas !== 'string' || !Array.isArray(v.top) || !Array.isArray(v.sprites)) return false;
  if (v.keys !== undefined) {
    const k = v.keys as { name?: unknown; list?: unknown };
    if (!isRecord(k) || typeof k.name !== 'string' || !Array.isArray(k.list) || k.list.length !== v.sprites.length) return false;
    if (!k.list.every((key) => typeof key === 'string' && HEX64.test(key))) return false;
  }
  return v.sprites.every(
    (s: unknown) => Array.isArray(s) && s.length === 6 && typeof s[0] === 'string' && isLoc(s[1]) && isRecord(s[2]) && isRecord(s[3])
      && isRecord(s[4]) && Object.values(s[4]).every(isLoc) && Array.isArray(s[5]),
  );
}
