import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, type Document, type LineCounter } from 'yaml';
import { keepWithin, markUsed } from '../fs/lru-folder.js';
import { readSealedJson, writeSealedJson } from '../fs/sealed-json.js';
import type { SourceLocation } from '../location.js';
import { readPlainYaml } from './plain-yaml.js';
import { MAX_MANIFEST_BYTES, nodeAt, nodeLocation, parseManifestText, type NodeRole, type YamlSource } from './yaml-source.js';

/**
 * A manifest's parse, kept across processes by the hash of its bytes: YAML parsing is most of
 * what loading thousands of sprites costs (1.35 s for 8000 with `parseDocument`), and an unchanged
 * file parses to the same value every time. Plain YAML (plain-yaml.ts) is read in one pass, faster
 * than a kept parse opens, so only the other files are kept.
 *
 * Kept: the plain value and the locations a clean load asks for (each sprite's name, each key of
 * each sprite and of `defaults`). Everything else a later load might locate (an error about a
 * missing key, say) comes from the real parse, done then, on demand, from the same text.
 *
 * Only clean parses are kept (no YAML error or warning, a mapping at the top, a value that JSON
 * holds exactly), so the diagnostics of a file with mistakes always come from the parser. The
 * folder is local (git-ignored) but still read as untrusted: an entry counts only when its format
 * is this one, it names the hash of the text it is for, its body matches its own hash, and its
 * shape is exactly what is written here; anything else is a miss, and the file is parsed.
 */

const FORMAT = 3;
/** Larger than any cached parse of a 1 MiB manifest could be. */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

type Loc = [number, number];
interface Locations {
  /** sprite name -> [line, column of its key, { key: [line, column of its value] }] */
  s: Record<string, [number, number, Record<string, Loc>]>;
  /** defaults key -> [line, column of its value] */
  d: Record<string, Loc>;
}

export type ParseResult = ReturnType<typeof parseManifestText>;

/** What a manifest's kept derivations are keyed by. */
export const textHash = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface ParseCache {
  /** The folder (local, git-ignored) the parses are kept in. */
  dir: string;
  /** Runs before the first write: the cache folder's .gitignore must keep the parses out of git first. */
  beforeWrite?: () => Promise<void>;
  /** What the folder may hold (default PARSE_CACHE_LIMIT_BYTES); every edit of a file adds an entry. */
  limitBytes?: number;
  /**
   * Takes the load's writes of kept requests (and the folder's pruning) to run behind it, for a
   * caller that waits for them later (a session's saves); without it the load waits for them.
   */
  later?: (write: () => Promise<void>) => void;
}

/** Twenty times what 8000 sprites' parses and requests take. */
const PARSE_CACHE_LIMIT_BYTES = 64 * 1024 * 1024;
const ENTRY_FILE = /^[0-9a-f]{64}(\.requests)?\.json$/;

/** Keeps the folder within its limit after a load that may have written to it: the least recently used entries go (fs/lru-folder.ts). */
export async function keepParseCacheWithin(cache: ParseCache): Promise<void> {
  await keepWithin(cache.dir, cache.limitBytes ?? PARSE_CACHE_LIMIT_BYTES, ENTRY_FILE).catch(() => undefined);
}

/**
 * The parse of `text` (the content of `file`): read plainly when it is plain YAML (faster than
 * opening a kept parse), else from the cache when a valid entry is there, else parsed and kept.
 */
export async function parseWithCache(file: string, text: string, cache: ParseCache): Promise<ParseResult> {
  const plain = readPlain(file, text);
  if (plain) return plain;
  const dir = cache.dir;
  const hash = textHash(text);
  const path = join(dir, `${hash}.json`);
  const kept = await read(path, hash);
  if (kept) {
    markUsed(path);
    return { source: cachedSource(file, text, kept.value, kept.locations), diagnostics: [] };
  }
  const { result, clean } = parseYaml(file, text);
  if (clean) {
    // Best effort: a read-only cache folder (CI) just parses every time.
    await (cache.beforeWrite?.() ?? Promise.resolve())
      .then(() => write(dir, path, hash, clean.value, clean.locations))
      .catch(() => undefined);
  }
  return result;
}

/** One manifest's parse: read in one pass when it is plain YAML (plain-yaml.ts), else by `yaml`. */
export function parseManifest(file: string, text: string): ParseResult {
  return readPlain(file, text) ?? parseYaml(file, text).result;
}

function readPlain(file: string, text: string): ParseResult | undefined {
  const plain = Buffer.byteLength(text, 'utf8') <= MAX_MANIFEST_BYTES ? readPlainYaml(text) : undefined;
  if (!plain) return undefined;
  const locations = locationsOf(plain.value, (path, role) => {
    let map: unknown = plain.value;
    for (const seg of path.slice(0, -1)) map = (map as Record<string, unknown>)[seg];
    const at = plain.positionsOf(map as object)!.get(path[path.length - 1]!)!;
    return role === 'key' ? at.key : at.value;
  });
  return { source: cachedSource(file, text, plain.value, locations), diagnostics: [] };
}

/** The parse by `yaml`; `clean` is what a kept parse holds, for a parse with nothing to report. */
function parseYaml(file: string, text: string): { result: ParseResult; clean?: { value: Record<string, unknown>; locations: Locations } } {
  const result = parseManifestText(file, text);
  const src = result.source;
  if (!src || result.diagnostics.length > 0 || !isMap(src.doc.contents) || !isRecord(src.value) || !isExactJson(src.value, 0)) return { result };
  const locations = locationsOf(src.value, (path, role) => {
    const l = nodeLocation(src, nodeAt(src.doc, path, role));
    return [l.line, l.column];
  });
  return { result, clean: { value: src.value, locations } };
}

async function read(path: string, hash: string): Promise<{ value: Record<string, unknown>; locations: Locations } | undefined> {
  // Sealed: a parse committed by a pull request could make a known manifest build (and buy) other sprites.
  const parsed = await readSealedJson(path, { format: FORMAT, key: hash }, MAX_ENTRY_BYTES);
  if (!isRecord(parsed) || !isRecord(parsed.value) || !validLocations(parsed.locations)) return undefined;
  return { value: parsed.value, locations: parsed.locations };
}

async function write(dir: string, path: string, hash: string, value: unknown, locations: Locations): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeSealedJson(path, { format: FORMAT, key: hash }, JSON.stringify({ value, locations }));
}

/** The locations a clean load asks for, found the way `locate` finds them. */
function locationsOf(value: Record<string, unknown>, at: (path: string[], role: NodeRole) => Loc): Locations {
  const locations: Locations = { s: {}, d: {} };
  if (isRecord(value.defaults)) for (const k of Object.keys(value.defaults)) locations.d[k] = at(['defaults', k], 'value');
  if (isRecord(value.sprites)) {
    for (const [name, entry] of Object.entries(value.sprites)) {
      const keys: Record<string, Loc> = {};
      if (isRecord(entry)) for (const k of Object.keys(entry)) keys[k] = at(['sprites', name, k], 'value');
      const [line, column] = at(['sprites', name], 'key');
      locations.s[name] = [line, column, keys];
    }
  }
  return locations;
}

/**
 * A YamlSource whose value and common locations come from a kept parse or a plain read; its
 * document is parsed from the same text the first time anything else needs it.
 */
function cachedSource(file: string, text: string, value: Record<string, unknown>, locations: Locations): YamlSource {
  let real: YamlSource | undefined;
  const parsed = (): YamlSource => {
    if (!real) {
      const r = parseManifestText(file, text);
      // The text parsed cleanly when the entry was written (or was read plainly); a parser that now disagrees is a bug.
      if (!r.source) throw new Error(`retro-sprites: ${file} no longer parses as it did when its parse was kept`);
      real = r.source;
    }
    return real;
  };
  const loc = (l: Loc): SourceLocation => ({ file, line: l[0], column: l[1] });
  return {
    file,
    value,
    get doc(): Document.Parsed {
      return parsed().doc;
    },
    get lines(): LineCounter {
      return parsed().lines;
    },
    topIsMap: true,
    known(path: readonly (string | number)[], role: NodeRole): SourceLocation | undefined {
      if (path[0] === 'sprites' && typeof path[1] === 'string' && Object.hasOwn(locations.s, path[1])) {
        const s = locations.s[path[1]]!;
        if (path.length === 2 && role === 'key') return loc([s[0], s[1]]);
        if (path.length === 3 && role === 'value' && typeof path[2] === 'string' && Object.hasOwn(s[2], path[2])) return loc(s[2][path[2]]!);
      }
      if (path.length === 2 && path[0] === 'defaults' && role === 'value' && typeof path[1] === 'string' && Object.hasOwn(locations.d, path[1])) return loc(locations.d[path[1]]!);
      return undefined;
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Plain data JSON gives back unchanged: finite numbers (not -0), strings, booleans, null, arrays, plain objects. */
function isExactJson(v: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((x) => isExactJson(x, depth + 1));
  if (isRecord(v)) return !Object.hasOwn(v, '__proto__') && Object.values(v).every((x) => isExactJson(x, depth + 1));
  return false;
}

const isPos = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1;
const isLoc = (l: unknown): boolean => Array.isArray(l) && l.length === 2 && isPos(l[0]) && isPos(l[1]);

function validLocations(v: unknown): v is Locations {
  if (!isRecord(v) || !isRecord(v.s) || !isRecord(v.d)) return false;
  if (!Object.values(v.d).every(isLoc)) return false;
  return Object.values(v.s).every(
    (s) => Array.isArray(s) && s.length === 3 && isPos(s[0]) && isPos(s[1]) && isRecord(s[2]) && Object.values(s[2]).every(isLoc),
  );
}
