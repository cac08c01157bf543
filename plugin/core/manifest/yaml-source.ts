import {
  Alias,
  Document,
  LineCounter,
  Pair,
  YAMLError,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Node,
} from 'yaml';
import type { Diagnostic } from '../errors.js';
import type { SourceLocation } from '../location.js';

/** Manifests are hand-written lists of prompts; anything larger is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/**
 * Alias expansion budget, as the `yaml` package counts it (references x nested size). Generous
 * for `<<: *base` on every sprite of a big file; an exponential "billion laughs" blows past it.
 */
export const MAX_ALIAS_COUNT = 10_000;

const MAX_SYNTAX_ERRORS = 10;

/** The tags of YAML's core schema; anything else (`!!binary`, `!!set`, `!custom`) is refused. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'merge'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** One parsed manifest file: its YAML document with positions, and its plain value. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
  /** Known without the document (a parse kept by parse-cache.ts): the top level is a mapping. */
  topIsMap?: boolean;
  /** Locations known without the document (parse-cache.ts); undefined: ask the document. */
  known?(path: readonly (string | number)[], role: NodeRole): SourceLocation | undefined;
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once per mapping; remove or rename one of them',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'line the key up with its siblings',
  MULTIPLE_DOCS: 'keep one YAML document per manifest file: remove the `---` line or split the file in two',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after the colon and keep keys on one line',
  MISSING_CHAR: 'close the quote or bracket that was opened',
  MULTILINE_IMPLICIT_KEY: 'keys must fit on one line; did a value lose its `key:` or a colon its space?',
  UNEXPECTED_TOKEN: 'check the indentation and the characters around this spot',
  RESOURCE_EXHAUSTION: 'a manifest needs three levels: top-level keys, sprite names, and each sprite\'s keys',
};

export function locationAt(file: string, lines: LineCounter, offset: number): SourceLocation {
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col };
}

/**
 * Parses one manifest. Returns the source, or the diagnostics that stop this file (syntax errors,
 * unsupported tags, alias bombs, size). Never throws for bad input.
 */
export function parseManifestText(file: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const start: SourceLocation = { file, line: 1, column: 1 };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) return { diagnostics: [tooLarge(file, bytes)] };
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      schema: 'core',
      merge: true,
      uniqueKeys: true,
      strict: true,
    });
  } catch (err) {
    // The parser recurses on nesting; a pathological document can exhaust the stack.
    return { diagnostics: [refused(start, err)] };
  }
  const diagnostics: Diagnostic[] = [];
  // One mistake can derail the parser for the rest of the file; the first few errors say enough.
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) return { diagnostics: [yamlDiagnostic(file, lines, text, exhausted, 'error')] };
  for (const e of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) diagnostics.push(yamlDiagnostic(file, lines, text, e, 'error'));
  if (doc.errors.length > MAX_SYNTAX_ERRORS) {
    diagnostics[diagnostics.length - 1]!.message += ` (and ${doc.errors.length - MAX_SYNTAX_ERRORS} more YAML errors after it)`;
  }
  if (diagnostics.length) return { diagnostics };

  // The core schema leaves unknown tags unresolved with a warning; a manifest must not depend on them.
  visit(doc, {
    Node(_key, node) {
      const tag = (node as Node).tag;
      if (tag && !CORE_TAGS.has(tag)) {
        diagnostics.push({
          severity: 'error',
          code: 'yaml-tag',
          message: `YAML tag ${shortTag(tag)} is not supported; manifests use plain YAML (strings, numbers, booleans, null, lists, mappings)`,
          location: locationAt(file, lines, tagOffset(text, shortTag(tag), (node as Node).range?.[0] ?? 0)),
          hint: `remove ${shortTag(tag)} and write the value plainly`,
        });
      }
    },
  });
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') continue; // reported above with a better message
    diagnostics.push(yamlDiagnostic(file, lines, text, w, 'warning'));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      const at = firstAlias(doc) ?? 0;
      diagnostics.push({
        severity: 'error',
        code: 'alias-bomb',
        message: `YAML aliases expand to too much data (over ${MAX_ALIAS_COUNT} nodes); refusing to expand them`,
        location: locationAt(file, lines, at),
        hint: 'use anchors and aliases for small shared pieces such as `<<: *base`, not for nested repetition',
      });
    } else {
      diagnostics.push(refused(start, err));
    }
    return { diagnostics };
  }
  return { source: { file, doc, lines, value }, diagnostics };
}

export function tooLarge(file: string, bytes: number): Diagnostic {
  return {
    severity: 'error',
    code: 'manifest-too-large',
    message: `manifest is ${bytes} bytes; the limit is ${MAX_MANIFEST_BYTES} bytes (1 MiB)`,
    location: { file, line: 1, column: 1 },
    hint: 'split the sprites over several manifest files; they may share one atlas with `atlas:`',
  };
}

function refused(location: SourceLocation, err: unknown): Diagnostic {
  const deep = err instanceof RangeError;
  return {
    severity: 'error',
    code: deep ? 'yaml-too-deep' : 'yaml-unreadable',
    message: deep
      ? 'manifest is nested too deeply to read'
      : `manifest could not be read as YAML: ${(err as Error)?.message ?? String(err)}`,
    location,
    hint: 'a manifest needs three levels: top-level keys, sprite names, and each sprite\'s keys',
  };
}

function yamlDiagnostic(file: string, lines: LineCounter, text: string, e: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  // The parser's own messages are good; keep the first sentence, position comes from `pos`.
  let message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  let offset = e.pos[0];
  if (e.code === 'RESOURCE_EXHAUSTION') message = 'the document is nested too deeply (or is too large) to read';
  if (e.code === 'MULTIPLE_DOCS') message = 'the file holds more than one YAML document (a `---` line)';
  if (e.code === 'MISSING_CHAR' && /quote/.test(message)) {
    // The parser notices at the end of the file; the mistake is where the quote was opened.
    const quote = message.includes('"quote') ? '"' : "'";
    const open = text.lastIndexOf(quote, Math.max(0, offset - 1));
    if (open >= 0) {
      offset = open;
      message = `this ${quote === '"' ? 'double' : 'single'}-quoted text is never closed`;
    }
  }
  const hint = YAML_HINTS[e.code] ?? 'see https://yaml.org/spec/1.2.2/ or compare with a working manifest';
  return {
    severity,
    code: `yaml-${e.code.toLowerCase().replace(/_/g, '-')}`,
    message: `YAML syntax: ${message}`,
    location: locationAt(file, lines, offset),
    hint,
  };
}

/** Where the tag is written (the node's range starts at its value). */
function tagOffset(text: string, written: string, valueStart: number): number {
  const at = text.lastIndexOf(written, valueStart);
  return at >= 0 && !text.slice(at, valueStart).includes('\n') ? at : valueStart;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? '!!' + tag.slice('tag:yaml.org,2002:'.length) : tag;
}

function firstAlias(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_k, node) {
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
}

/** What a path points at: the key of a pair (for "unknown key" errors) or its value. */
export type NodeRole = 'key' | 'value';

/**
 * The YAML node at a JS path, following aliases and merge keys on the way. When the path runs out
 * (a missing key), answers the deepest node that exists, so an error about a missing key points at
 * the mapping that should hold it.
 */
export function nodeAt(doc: Document.Parsed, path: readonly (string | number)[], role: NodeRole = 'value'): Node | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = (doc.contents as Node | null) ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    if (isAlias(node)) node = resolveAlias(doc, node);
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = findPair(doc, node, String(seg), 0);
      if (!pair) return found;
      if (last && role === 'key') return (pair.key as Node) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return found;
    }
    if (!node) return found;
    found = node as Node;
  }
  return found;
}

const anchorIndex = new WeakMap<Document.Parsed, Map<string, Node[]>>();

/**
 * `Alias.resolve` walks the whole document on every call; locating every field of every sprite
 * that way is quadratic. Index the anchors once per document instead.
 */
function resolveAlias(doc: Document.Parsed, alias: Alias): Node | undefined {
  let index = anchorIndex.get(doc);
  if (!index) {
    const built = new Map<string, Node[]>();
    visit(doc, {
      Node(_k, n) {
        const anchor = (n as Node & { anchor?: string }).anchor;
        if (anchor) built.set(anchor, [...(built.get(anchor) ?? []), n as Node]);
      },
    });
    anchorIndex.set(doc, built);
    index = built;
  }
  // An anchor may be redefined; an alias refers to the latest definition before it.
  const at = alias.range?.[0] ?? Infinity;
  const candidates = index.get(alias.source) ?? [];
  let best: Node | undefined;
  for (const c of candidates) if ((c.range?.[0] ?? 0) < at) best = c;
  return best;
}

/** Keys of a mapping, indexed once: every field of every sprite is located through them. */
const pairIndex = new WeakMap<object, { byKey: Map<string, Pair>; merges: unknown[] }>();

function findPair(doc: Document.Parsed, map: unknown, key: string, depth: number): Pair | undefined {
  if (depth > 8 || !isMap(map)) return undefined;
  let index = pairIndex.get(map);
  if (!index) {
    index = { byKey: new Map(), merges: [] };
    for (const pair of map.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      // The merge key's value is a symbol; its source text is `<<`.
      const isMerge = typeof pair.key.value === 'symbol' || (pair.key.source === '<<' && pair.key.type === 'PLAIN');
      if (isMerge) index.merges.push(pair.value);
      else if (!index.byKey.has(String(pair.key.value))) index.byKey.set(String(pair.key.value), pair);
    }
    pairIndex.set(map, index);
  }
  const own = index.byKey.get(key);
  if (own) return own;
  const merges = index.merges;
  // Own keys win over merged ones, so merges are only searched when the key is not written here.
  for (const m of merges) {
    for (const s of isSeq(m) ? m.items : [m]) {
      const target = isAlias(s) ? resolveAlias(doc, s) : s;
      const found = findPair(doc, target, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function nodeLocation(src: YamlSource, node: Node | undefined): SourceLocation {
  return locationAt(src.file, src.lines, node?.range?.[0] ?? 0);
}

export function locate(src: YamlSource, path: readonly (string | number)[], role: NodeRole = 'value'): SourceLocation {
  return src.known?.(path, role) ?? nodeLocation(src, nodeAt(src.doc, path, role));
}
