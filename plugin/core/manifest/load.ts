import { closeSync, constants, fstatSync, openSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { isMap } from 'yaml';
import { suggest } from '../catalog.js';
import { runPool } from '../pool.js';
import { ManifestError, type Diagnostic } from '../errors.js';
import { formatLocation, type SourceLocation } from '../location.js';
import type { GenerationRequest } from '../request.js';
import { buildRequest, type SpriteInput } from './build-request.js';
import { keepRequests, type KeptSprite, type PayloadKeys } from './kept-requests.js';
import { keepParseCacheWithin, textHash, type ParseCache } from './parse-cache.js';
import { validateEntry, show } from './entry-issues.js';
import { isInside, readInputImage, type ResolvedInput } from './input-file.js';
import { nameProblem } from './names.js';
import { EXTENSION_KEY, NAME_PATTERN, TOP_LEVEL_KEYS, type ManifestEntry } from './schema.js';
import { LastParses } from './last-parses.js';
import { MAX_MANIFEST_BYTES, locate, tooLarge, type YamlSource } from './yaml-source.js';

export const DEFAULT_MANIFEST_GLOB = 'manifests/**/*.{yaml,yml}';

export interface LoadOptions {
  /** Project root; manifests and the files they reference may not escape it. */
  root: string;
  /** fast-glob patterns relative to root (default DEFAULT_MANIFEST_GLOB). */
  manifests?: string | string[];
  /** Accept prompt_style names the catalog does not know (the live catalog grows). */
  allowUnknownStyles?: boolean;
  /** Extra ignore globs (the caller adds its cache folder). */
  ignore?: string[];
  /** Parses to reuse while a file's text is unchanged (a long-lived project keeps one). */
  parses?: LastParses;
  /** Where parses are kept across processes, by the files' hashes (parse-cache.ts). */
  parseCache?: ParseCache;
  /** How the caller keys requests: kept requests keep their keys too (kept-requests.ts). */
  keys?: PayloadKeys;
}

export interface ManifestPlan {
  /** Sorted by atlas, then sprite. */
  requests: GenerationRequest[];
  /** Findings that did not stop the run (e.g. an animation size normalized). */
  warnings: Diagnostic[];
  /** Absolute paths of the manifests found, sorted. */
  files: string[];
  /** Sorted atlas keys. */
  atlases: string[];
}

interface FileSprites {
  src: YamlSource;
  atlas: string;
  defaults?: ManifestEntry;
  defaultsValid: boolean;
  sprites: { name: string; location: SourceLocation; entry?: ManifestEntry }[];
}

type Built = Awaited<ReturnType<typeof buildRequest>>;

/** One file's sprites in this load: to build from their entries, or already built (kept-requests.ts). */
interface LoadedFile {
  file: string;
  atlas: string;
  /** Absent for a file whose requests were kept: it was not parsed. */
  top?: FileSprites;
  built: FileDerived['built'];
  /** This load's copies: a duplicate across files is switched off for this load only. */
  sprites: { name: string; location: SourceLocation; entry?: ManifestEntry; ready?: Built }[];
  /** The text (and its hash), when its requests are to be kept once built. */
  keep?: { text: string; hash: string };
  topDiagnostics: Diagnostic[];
}

/** One parse's top level and requests, reused while the file's text is unchanged (LastParses). */
interface FileDerived {
  top: FileSprites | undefined;
  topDiagnostics: Diagnostic[];
  /**
   * By `allowUnknownStyles` and sprite name. Only sprites that read no other file: an input image can
   * change while the manifest does not.
   */
  built: Map<string, Built>;
}

/**
 * Finds, parses and validates every manifest and turns each sprite into its GenerationRequest.
 * Throws a ManifestError holding every error of every file (and the warnings) when any is wrong.
 */
export async function loadManifests(opts: LoadOptions): Promise<ManifestPlan> {
  const root = path.resolve(opts.root);
  const rootReal = await fs.realpath(root).catch(() => root);
  const patterns = opts.manifests === undefined ? [DEFAULT_MANIFEST_GLOB] : Array.isArray(opts.manifests) ? opts.manifests : [opts.manifests];
  const found = await fg(patterns, {
    cwd: root,
    absolute: true,
    onlyFiles: true,
    dot: false,
    ignore: ['**/node_modules/**', ...(opts.ignore ?? [])],
  });
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  for (const f of [...new Set(found.map((p) => path.resolve(p)))].sort()) {
    const real = await fs.realpath(f).catch(() => f);
    if (!isInside(root, f) || !isInside(rootReal, real)) {
      diagnostics.push({
        severity: 'error', code: 'manifest-outside-root', message: `manifest ${f} is outside the project root ${root}`,
        location: { file: f, line: 1, column: 1 }, hint: 'keep manifests inside the project and point', advice: { vite: 'the plugin option `manifests` at them', cli: '--manifests at them' },
      });
      continue;
    }
    files.push(f);
  }

  const parses = opts.parses ?? new LastParses();
  const allowUnknownStyles = opts.allowUnknownStyles ?? false;
  const parsed: LoadedFile[] = [];
  let writesCache = false;
  for (const file of files) {
    const text = readText(file, diagnostics);
    if (text === undefined) continue;
    const kept = opts.parseCache ? await parses.keptRequests(file, text, allowUnknownStyles, opts.parseCache, opts.keys) : undefined;
    if (kept) {
      diagnostics.push(...kept.topDiagnostics);
      const sprites = kept.sprites.map((s) => ({ name: s.name, location: s.location, ready: { request: s.request, diagnostics: s.diagnostics } }));
      parsed.push({ file, atlas: kept.atlas, built: new Map(), sprites, topDiagnostics: kept.topDiagnostics });
      continue;
    }
    // Parsed, not kept: this load may write the file's parse or requests to the cache.
    if (opts.parseCache) writesCache = true;
    const result = opts.parseCache ? await parses.parseKept(file, text, opts.parseCache) : parses.parse(file, text);
    diagnostics.push(...result.diagnostics);
    const source = result.source;
    if (!source) continue;
    const derived = parses.derivedOf(source, (): FileDerived => {
      const topDiagnostics: Diagnostic[] = [];
      return { top: readTopLevel(source, topDiagnostics), topDiagnostics, built: new Map() };
    });
    diagnostics.push(...derived.topDiagnostics);
    const top = derived.top;
    if (!top) continue;
    parsed.push({
      file, atlas: top.atlas, top, built: derived.built, sprites: top.sprites.map((s) => ({ ...s })), topDiagnostics: derived.topDiagnostics,
      ...(opts.parseCache && result.diagnostics.length === 0 ? { keep: { text, hash: textHash(text) } } : {}),
    });
  }

  checkDuplicates(parsed, root, diagnostics);

  const cache = new Map<string, Promise<ResolvedInput>>();
  const ctx = {
    allowUnknownStyles,
    readInput(written: string, manifestFile: string) {
      const id = `${manifestFile}\0${written}`;
      let p = cache.get(id);
      if (!p) {
        p = readInputImage(written, manifestFile, root, rootReal);
        p.catch(() => undefined); // awaited by every caller; keep a failure from surfacing unhandled
        cache.set(id, p);
      }
      return p;
    },
  };
  const requests: GenerationRequest[] = [];
  const take = (r: Built) => {
    diagnostics.push(...r.diagnostics);
    if (r.request) requests.push(r.request);
  };
  const jobs: (() => Promise<void>)[] = [];
  for (const loaded of parsed) {
    const top = loaded.top;
    for (const sprite of loaded.sprites) {
      if (sprite.ready) {
        take(sprite.ready);
        continue;
      }
      // A file whose defaults are wrong has its errors reported; checking on would repeat them per sprite.
      if (!top?.defaultsValid || !sprite.entry) continue;
      const memo = `${allowUnknownStyles}\0${sprite.name}`;
      const kept = loaded.built.get(memo);
      if (kept) {
        take(kept);
        continue;
      }
      let readsFiles = false;
      const spriteCtx = { allowUnknownStyles, readInput: (written: string, manifestFile: string) => ((readsFiles = true), ctx.readInput(written, manifestFile)) };
      const input: SpriteInput = {
        sprite: sprite.name,
        atlas: top.atlas,
        file: top.src.file,
        location: sprite.location,
        entry: sprite.entry,
        defaults: top.defaults,
        entryLoc: (key) => locate(top.src, ['sprites', sprite.name, key]),
        defaultsLoc: (key) => locate(top.src, ['defaults', key]),
      };
      jobs.push(() => buildRequest(input, spriteCtx).then((r) => {
        if (!readsFiles) loaded.built.set(memo, r);
        take(r);
      }));
    }
  }
  // A few at a time, so reading input images overlaps, without thousands of builds alive at once
  // (each a suspended function holding its context: most of a cold load's garbage collection).
  await runPool(jobs, 8, (job) => job());
  const parseCache = opts.parseCache;
  if (parseCache) {
    const keep = keepCleanFiles(parsed, allowUnknownStyles, parseCache, parses, opts.keys);
    const write = async () => {
      await keep();
      if (writesCache) await keepParseCacheWithin(parseCache);
    };
    if (parseCache.later) parseCache.later(write);
    else await write();
  }

  diagnostics.splice(0, diagnostics.length, ...mergeRepeats(diagnostics));
  diagnostics.sort(byLocation);
  if (diagnostics.some((d) => d.severity === 'error')) throw new ManifestError(diagnostics, root);
  requests.sort((a, b) => cmp(a.atlas, b.atlas) || cmp(a.sprite, b.sprite));
  return {
    requests,
    warnings: diagnostics,
    files,
    atlases: [...new Set(parsed.map((p) => p.atlas))].sort(cmp),
  };
}

/**
 * Keeps the requests of each freshly built file that loaded cleanly: every sprite built, without an
 * error and without reading another file (kept-requests.ts says why). In memory at once (this
 * project's next load takes them); the returned function writes them to the cache.
 */
function keepCleanFiles(parsed: LoadedFile[], allowUnknownStyles: boolean, cache: ParseCache, parses: LastParses, keys?: PayloadKeys): () => Promise<void> {
  const writes: (() => Promise<void>)[] = [];
  for (const loaded of parsed) {
    if (loaded.keep === undefined || !loaded.top?.defaultsValid || loaded.topDiagnostics.some((d) => d.severity === 'error')) continue;
    const sprites: KeptSprite[] = [];
    for (const s of loaded.top.sprites) {
      const built = s.entry && loaded.built.get(`${allowUnknownStyles}\0${s.name}`);
      if (!built?.request || built.diagnostics.some((d) => d.severity === 'error')) break;
      sprites.push({ name: s.name, location: s.location, request: built.request, diagnostics: built.diagnostics });
    }
    if (sprites.length !== loaded.top.sprites.length) continue;
    const kept = { atlas: loaded.atlas, topDiagnostics: loaded.topDiagnostics, sprites };
    // Once per text: a long-lived project's next loads of this file take the kept requests.
    parses.keptAs(loaded.file, loaded.keep.text, allowUnknownStyles, kept);
    const hash = loaded.keep.hash;
    writes.push(() => keepRequests(cache, loaded.file, hash, allowUnknownStyles, kept, keys));
  }
  return async () => {
    await Promise.all(writes.map((write) => write()));
  };
}

/**
 * The manifest's text, read on this thread: a few small files, where each pool round trip (stat,
 * open, read, close) took longer than the read. Opened without blocking and checked to be a
 * regular file first, so a pipe put in a manifest's place cannot hang the build.
 */
function readText(file: string, diagnostics: Diagnostic[]): string | undefined {
  const unreadable = (why: string): undefined => {
    diagnostics.push({
      severity: 'error', code: 'manifest-unreadable', message: `cannot read manifest: ${why}`,
      location: { file, line: 1, column: 1 }, hint: 'check that the file exists and is readable',
    });
    return undefined;
  };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return unreadable((err as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return unreadable(`${file} is not a regular file`);
    // Refuse before reading: a multi-gigabyte "manifest" must not be pulled into memory.
    if (stat.size > MAX_MANIFEST_BYTES) {
      diagnostics.push(tooLarge(file, stat.size));
      return undefined;
    }
    return readFileSync(fd, 'utf8');
  } catch (err) {
    return unreadable((err as Error).message);
  } finally {
    closeSync(fd);
  }
}

function readTopLevel(src: YamlSource, diagnostics: Diagnostic[]): FileSprites | undefined {
  const file = src.file;
  const start = { file, line: 1, column: 1 };
  const err = (code: string, message: string, location: SourceLocation, hint: string) =>
    diagnostics.push({ severity: 'error', code, message, location, hint });
  const value = src.value;
  if (value === null || value === undefined) {
    diagnostics.push({
      severity: 'warning', code: 'empty-manifest', message: 'manifest is empty', location: start,
      hint: 'add `sprites:` with at least one sprite, or delete the file',
    });
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value) || !(src.topIsMap ?? isMap(src.doc.contents))) {
    err('manifest-not-mapping', `a manifest is a mapping with atlas, defaults and sprites; got ${show(value)}`, locate(src, []),
      'start the file with `sprites:` and list each sprite under it');
    return undefined;
  }
  const top = value as Record<string, unknown>;
  let misspeltSprites = false;
  for (const key of Object.keys(top)) {
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(key) || EXTENSION_KEY.test(key)) continue;
    const close = suggest(key, TOP_LEVEL_KEYS);
    if (close[0] === 'sprites') misspeltSprites = true;
    err('unknown-key', `unknown top-level key ${JSON.stringify(key)}`, locate(src, [key], 'key'),
      close.length ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}?`
        : `the top level holds atlas, defaults and sprites; sprite keys go under a sprite or under defaults, and YAML anchors under a key starting with x- (e.g. x-${key}: &${key})`);
  }

  let atlas = path.basename(file).replace(/\.ya?ml$/i, '');
  if (top.atlas !== undefined) {
    if (typeof top.atlas !== 'string' || !NAME_PATTERN.test(top.atlas)) {
      err('invalid-atlas', `atlas must be a name of letters, digits, _ and -; got ${show(top.atlas)}`, locate(src, ['atlas']),
        'it becomes the Phaser texture key and a file name, e.g. atlas: characters');
    } else {
      const problem = nameProblem(top.atlas, 'atlas');
      if (problem) err('invalid-atlas', problem.message, locate(src, ['atlas']), problem.hint);
      else atlas = top.atlas;
    }
  } else if (!NAME_PATTERN.test(atlas)) {
    err('invalid-atlas', `the atlas name defaults to the file name ${JSON.stringify(atlas)}, which is not a valid key (letters, digits, _ and -)`, start,
      `add atlas: ${atlas.replace(/[^A-Za-z0-9_-]+/g, '_') || 'sprites'} or rename the file`);
  } else {
    const problem = nameProblem(atlas, 'atlas');
    if (problem) err('invalid-atlas', `the atlas name defaults to the file name: ${problem.message}`, start, `add atlas: with another name, or ${problem.hint}`);
  }

  let defaults: ManifestEntry | undefined;
  let defaultsValid = true;
  if (top.defaults !== undefined && top.defaults !== null) {
    if (typeof top.defaults !== 'object' || Array.isArray(top.defaults)) {
      err('invalid-defaults', `defaults must be a mapping of sprite keys; got ${show(top.defaults)}`, locate(src, ['defaults']),
        'write keys such as prompt_style: and size: indented under defaults:');
      defaultsValid = false;
    } else {
      const r = validateEntry(src, ['defaults'], top.defaults, 'defaults');
      diagnostics.push(...r.diagnostics);
      defaults = r.entry;
      defaultsValid = r.entry !== undefined;
    }
  }

  const sprites: FileSprites['sprites'] = [];
  if (!('sprites' in top)) {
    if (!misspeltSprites) err('missing-sprites', 'manifest has no sprites: section', locate(src, []), 'add `sprites:` and, indented under it, one entry per sprite with at least a prompt');
  } else if (top.sprites === null) {
    diagnostics.push({
      severity: 'warning', code: 'no-sprites', message: 'sprites: is empty', location: locate(src, ['sprites']),
      hint: 'add one entry per sprite under sprites:, e.g. `hero: { prompt: knight, size: 64 }`',
    });
  } else if (typeof top.sprites !== 'object' || Array.isArray(top.sprites)) {
    err('sprites-not-mapping', `sprites must map sprite names to their keys; got ${show(top.sprites)}`, locate(src, ['sprites']),
      Array.isArray(top.sprites) ? 'drop the "- " list dashes: write `hero:` then its keys indented under it' : 'write `hero:` then its keys indented under it');
  } else {
    for (const [name, entry] of Object.entries(top.sprites as Record<string, unknown>)) {
      const location = locate(src, ['sprites', name], 'key');
      let ok = true;
      if (!NAME_PATTERN.test(name)) {
        ok = false;
        err('invalid-sprite-name', `sprite name ${JSON.stringify(name)} may only use letters, digits, _ and -`, location,
          `rename it, e.g. ${name.replace(/[^A-Za-z0-9_-]+/g, '_') || 'sprite'}`);
      } else {
        const problem = nameProblem(name, 'sprite');
        if (problem) {
          ok = false;
          err('invalid-sprite-name', problem.message, location, problem.hint);
        }
      }
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        err('sprite-not-mapping', `sprite ${JSON.stringify(name)} must be a mapping of keys; got ${show(entry)}`,
          entry === null ? location : locate(src, ['sprites', name]),
          typeof entry === 'string' ? `write it as ${name}: { prompt: ${JSON.stringify(entry)} }` : 'indent its keys (prompt, size, …) under the sprite name');
        sprites.push({ name, location });
        continue;
      }
      const r = validateEntry(src, ['sprites', name], entry, `sprite ${JSON.stringify(name)}`);
      diagnostics.push(...r.diagnostics);
      sprites.push({ name, location, entry: ok ? r.entry : undefined });
    }
  }
  return { src, atlas, defaults, defaultsValid, sprites };
}

/** A sprite name is unique within its atlas, across every file that feeds it. */
function checkDuplicates(parsed: LoadedFile[], root: string, diagnostics: Diagnostic[]): void {
  const seen = new Map<string, SourceLocation>();
  for (const f of parsed) {
    for (const s of f.sprites) {
      const id = `${f.atlas}\0${s.name}`;
      const first = seen.get(id);
      if (!first) {
        seen.set(id, s.location);
        continue;
      }
      diagnostics.push({
        severity: 'error',
        code: 'duplicate-sprite',
        message: `sprite ${JSON.stringify(s.name)} is defined twice in atlas ${JSON.stringify(f.atlas)}: here and at ${formatLocation(first, root)}`,
        location: s.location,
        hint: 'rename one of them; names are unique across all manifests of an atlas',
      });
      s.entry = undefined;
      s.ready = undefined;
    }
  }
}

/**
 * A mistake in `defaults` shows up once per sprite that inherits it; say it once, naming them all.
 */
function mergeRepeats(diagnostics: Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { d: Diagnostic; sprites: string[] }>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const m = /^sprite ("(?:[^"\\]|\\.)*"): (.*)$/s.exec(d.message);
    if (!m) {
      out.push(d);
      continue;
    }
    const id = `${d.code}\0${formatLocation(d.location)}\0${m[2]}`;
    const g = groups.get(id);
    if (g) g.sprites.push(m[1]!);
    else {
      const entry = { d: { ...d }, sprites: [m[1]!] };
      groups.set(id, entry);
      out.push(entry.d);
    }
  }
  for (const g of groups.values()) {
    if (g.sprites.length > 1) g.d.message = g.d.message.replace(/^sprite "(?:[^"\\]|\\.)*": /s, `sprites ${g.sprites.sort().join(', ')}: `);
  }
  return out;
}

function byLocation(a: Diagnostic, b: Diagnostic): number {
  return cmp(a.location.file, b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column
    || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

