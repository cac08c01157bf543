/**
 * The plain YAML nearly every manifest is written in, read in one pass without building a document.
 *
 * `parseDocument` makes a full syntax tree with a position on every node; in a fresh process (every
 * `vite build`) that costs about 100 ms per 60 KB file, most of an edit build's manifest time. A
 * manifest is almost always block mappings of `key: value` lines with plain or simply quoted
 * scalars and one-line lists, so this reader takes exactly that subset and answers `undefined` for
 * anything else: tabs, CR line ends, anchors, aliases, tags, block scalars, block lists,
 * multi-line scalars, escapes, duplicate keys, empty values, keys or numbers the core schema would
 * resolve to something else. The caller then parses with `yaml`, which also gives every error its
 * message and position. A text is only read here when `yaml` reads it to the same value and the
 * same positions (test/core/manifest/plain-yaml.test.ts checks it against the `yaml` package on
 * generated documents).
 */

/** 1-based line and column, as diagnostics give them. */
export type Position = [line: number, column: number];

export interface PlainRead {
  value: Record<string, unknown>;
  /** Where a key and its value are written, for every key of every mapping in `value`. */
  positionsOf(map: object): ReadonlyMap<string, { key: Position; value: Position }> | undefined;
}

interface Open {
  indent: number;
  map: Record<string, unknown>;
  positions: Map<string, { key: Position; value: Position }>;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?= |$)/;
/** Keys the core schema reads as null or a boolean (a JS key would then be "" or "true"). */
const SPECIAL_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
const FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
/** A plain scalar this reader resolves itself: no indicator first, nothing a YAML reader might read otherwise. */
const PLAIN = /^[A-Za-z0-9_(/-][^:#\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]*$/;
/** A plain item of a one-line list: also no flow indicators or quotes. */
const FLOW_ITEM = /^[A-Za-z0-9_(/-][^:#,[\]{}"'\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]*$/;
const QUOTED_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]*$/;
/** What may follow a value on its line: nothing, or spaces and a comment. */
const LINE_END = /^(?: +(?:#.*)?)?$/;

export function readPlainYaml(text: string): PlainRead | undefined {
  if (/[\t\r]/.test(text) || text.charCodeAt(0) === 0xfeff) return undefined;
  const positions = new WeakMap<object, Map<string, { key: Position; value: Position }>>();
  const root: Open = { indent: 0, map: {}, positions: new Map() };
  positions.set(root.map, root.positions);
  const open: Open[] = [root];
  /** A key written with nothing after it: its value must be the mapping on the next lines. */
  let pending: { into: Open; key: string; at: Position; indent: number } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    const m = KEY.exec(indent === 0 ? line : line.slice(indent));
    if (!m) return undefined;
    const key = m[1]!;
    if (SPECIAL_KEY.test(key) || key === '__proto__' || key.length > 1000) return undefined;
    const at: Position = [i + 1, indent + 1];
    let into: Open;
    if (pending) {
      if (indent <= pending.indent) return undefined;
      into = { indent, map: {}, positions: new Map() };
      positions.set(into.map, into.positions);
      pending.into.map[pending.key] = into.map;
      pending.into.positions.set(pending.key, { key: pending.at, value: at });
      open.push(into);
      pending = undefined;
    } else {
      while (open.length > 1 && open[open.length - 1]!.indent > indent) open.pop();
      into = open[open.length - 1]!;
      if (into.indent !== indent) return undefined;
    }
    if (Object.hasOwn(into.map, key)) return undefined;
    const rest = line.slice(indent + key.length + 1);
    let spaces = 0;
    while (rest.charCodeAt(spaces) === 32) spaces++;
    if (spaces === rest.length || rest.charCodeAt(spaces) === 35) {
      pending = { into, key, at, indent };
      continue;
    }
    const value = scalarOrList(rest.slice(spaces));
    if (value === undefined) return undefined;
    into.map[key] = value.value;
    into.positions.set(key, { key: at, value: [i + 1, indent + key.length + 2 + spaces] });
  }
  if (pending || Object.keys(root.map).length === 0) return undefined;
  return { value: root.map, positionsOf: (map) => positions.get(map) };
}

/** A value written on its key's line: a quoted or plain scalar, or a one-line list of plain scalars. */
function scalarOrList(s: string): { value: unknown } | undefined {
  const c = s.charCodeAt(0);
  if (c === 34 /* " */ || c === 39 /* ' */) {
    const quote = s[0]!;
    let end = 1;
    let out = '';
    for (;;) {
      const next = s.indexOf(quote, end);
      if (next < 0) return undefined;
      out += s.slice(end, next);
      if (quote === "'" && s[next + 1] === "'") {
        out += "'";
        end = next + 2;
        continue;
      }
      end = next + 1;
      break;
    }
    if ((quote === '"' && out.includes('\\')) || !QUOTED_TEXT.test(out) || !LINE_END.test(s.slice(end))) return undefined;
    return { value: out };
  }
  if (c === 91 /* [ */) {
    const close = s.indexOf(']');
    if (close < 0 || !LINE_END.test(s.slice(close + 1))) return undefined;
    const inner = s.slice(1, close);
    if (inner.trim() === '') return undefined;
    const items: unknown[] = [];
    for (const raw of inner.split(',')) {
      const v = plain(raw.trim(), FLOW_ITEM);
      if (v === undefined) return undefined;
      items.push(v.value);
    }
    return { value: items };
  }
  // A plain scalar ends at a comment; YAML drops the spaces before it.
  const hash = s.indexOf(' #');
  const written = (hash < 0 ? s : s.slice(0, hash)).replace(/ +$/, '');
  return plain(written, PLAIN);
}

function plain(written: string, allowed: RegExp): { value: unknown } | undefined {
  if (!allowed.test(written)) return undefined;
  if (INT.test(written)) return Object.is(Number(written), -0) ? undefined : { value: Number(written) };
  if (FLOAT.test(written)) {
    const n = Number(written);
    return Object.is(n, -0) ? undefined : { value: n };
  }
  // Anything else numeric-looking (007, 1e5, 0x1f, -.5) is the parser's to resolve.
  if (/^-?[0-9]/.test(written) || written.startsWith('-')) return undefined;
  if (/^(?:null|Null|NULL)$/.test(written)) return { value: null };
  if (/^(?:true|True|TRUE)$/.test(written)) return { value: true };
  if (/^(?:false|False|FALSE)$/.test(written)) return { value: false };
  return { value: written };
}
