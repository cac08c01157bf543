import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { readPlainYaml, type PlainRead, type Position } from '../../../plugin/core/manifest/plain-yaml.js';

// The reference is the `yaml` package, parsing as manifests are parsed (core schema, strict, unique
// keys): whatever the plain reader accepts, `yaml` must read without a word of complaint, to the
// same value, with every key and value at the same line and column.

const REPO = join(import.meta.dirname, '../../..');

function yamlRead(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, schema: 'core', merge: true, uniqueKeys: true, strict: true });
  return { doc, lines, clean: doc.errors.length === 0 && doc.warnings.length === 0 };
}

/** Every key and value position the plain reader gives, compared with the node ranges of `yaml`'s document. */
function samePositions(read: PlainRead, doc: Document.Parsed, lines: LineCounter): void {
  const pos = (offset: number): Position => {
    const p = lines.linePos(offset);
    return [p.line, p.col];
  };
  const walk = (value: Record<string, unknown>, node: Node | null | undefined, path: string): void => {
    expect(isMap(node), path).toBe(true);
    if (!isMap(node)) return;
    const positions = read.positionsOf(value)!;
    expect([...positions.keys()], path).toEqual(Object.keys(value));
    for (const pair of node.items) {
      const key = String((pair.key as { value: unknown }).value);
      const at = positions.get(key)!;
      expect(at.key, `${path}.${key} (key)`).toEqual(pos((pair.key as Node).range![0]));
      expect(at.value, `${path}.${key} (value)`).toEqual(pos((pair.value as Node).range![0]));
      const v = value[key];
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, pair.value as Node, `${path}.${key}`);
    }
  };
  walk(read.value, doc.contents as Node, '');
}

function agrees(text: string): PlainRead | undefined {
  const read = readPlainYaml(text);
  if (!read) return undefined;
  const { doc, lines, clean } = yamlRead(text);
  expect(clean, `yaml complains about a text the plain reader accepted:\n${text}`).toBe(true);
  expect(read.value).toStrictEqual(doc.toJS());
  samePositions(read, doc, lines);
  return read;
}

// Documents as people write manifests, and as they mistype them: keys from a small pool (so
// duplicates happen), every kind of scalar, lists, nesting, comments, blank lines, odd indents.
const keyArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('atlas', 'prompt', 'size', 'seed', 'remove_bg', 'x-base', 'hero_2', '_k', 'a', 'sprites', 'defaults') },
  { weight: 1, arbitrary: fc.constantFrom('null', 'True', '__proto__', '1', 'a b', 'a:', '"q"', '-a') },
);
const safeWordArb = fc.constantFrom('knight', 'red', 'cape', 'gem', '(big)', 'a/b', 'x', 'é', '日本', 'it\'s', 'no', 'yes', 'on', 'off', 'gem,', 'nan', 'e5', '12', '1.50', 'a-b');
const trickyWordArb = fc.constantFrom('null', 'Null', 'TRUE', 'false', 'nan', 'e5', '1e5', '007', '0x1f', '0o17', '12', '-3', '1.50', '-0', '-0.0', '.5', '+1', '~', '-', '- a', 'a: b', 'a:b', 'a #b', 'a#b', '[x]', '{y}', '&a', '*a', '!t', '|', '>', '%', '@', '`', '"', '\'', '\\', '\\n', ',', '?', '   ');
const wordArb = fc.oneof({ weight: 30, arbitrary: safeWordArb }, { weight: 1, arbitrary: trickyWordArb });
const plainArb = fc.array(wordArb, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const scalarArb = fc.oneof(
  { weight: 6, arbitrary: plainArb },
  { weight: 2, arbitrary: plainArb.map((s) => `"${s}"`) },
  { weight: 2, arbitrary: plainArb.map((s) => `'${s.replace(/'/g, "''")}'`) },
  { weight: 1, arbitrary: plainArb.map((s) => `'${s}'`) },
  { weight: 2, arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map(String) },
  { weight: 2, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }).map((n) => n.toFixed(2)) },
  { weight: 2, arbitrary: fc.array(plainArb, { minLength: 0, maxLength: 3 }).map((a) => `[${a.join(', ')}]`) },
  { weight: 1, arbitrary: fc.constantFrom('', '""', "''", '[]', '[ x ]', '[x,]') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);
const tailArb = fc.constantFrom('', '', '', '', '', ' # note', '  #x', '   ', '#x');

interface Tree { [key: string]: string | Tree }
const treeArb = fc.letrec<{ tree: Tree; node: string | Tree }>((tie) => ({
  tree: fc.dictionary(keyArb, tie('node'), { minKeys: 1, maxKeys: 4 }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, scalarArb, tie('tree')),
})).tree;

function render(tree: Tree, indent: number, step: number, tails: string[], noise: boolean): string[] {
  const out: string[] = [];
  let t = 0;
  for (const [key, value] of Object.entries(tree)) {
    const tail = tails[t++ % tails.length]!;
    if (noise && t % 3 === 0) out.push(t % 2 ? '' : `${' '.repeat(t % 5)}# comment`);
    if (typeof value === 'string') out.push(`${' '.repeat(indent)}${key}: ${value}${tail}`);
    else out.push(`${' '.repeat(indent)}${key}:${tail}`, ...render(value, indent + step, step, tails, noise));
  }
  return out;
}

const documentArb = fc
  .record({ tree: treeArb, step: fc.constantFrom(2, 2, 4, 1, 3), tails: fc.array(tailArb, { minLength: 1, maxLength: 5 }), noise: fc.boolean(), end: fc.constantFrom('\n', '', '\n\n') })
  .map(({ tree, step, tails, noise, end }) => render(tree, 0, step, tails, noise).join('\n') + end);

describe('the plain YAML reader, against the yaml package', () => {
  it('reads what it accepts exactly as yaml does, and accepts most manifest-like documents', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(documentArb, (text) => {
        runs++;
        if (agrees(text)) accepted++;
      }),
      { numRuns: 3000, seed: 20261203 },
    );
    // A reader that refuses everything would pass the agreement above; it must take the common case.
    expect(accepted / runs).toBeGreaterThan(0.15);
  });

  it('reads a generated 800-sprite manifest (the bench\'s shape) and every manifest of the demo', () => {
    const sprites = Array.from({ length: 800 }, (_, i) => `  s_${i}:\n    prompt: red gem number ${i}, shiny\n    size: ${16 + (i % 4) * 16}\n    seed: ${i * 7919}\n`);
    const big = `atlas: big\ndefaults:\n  remove_bg: true\nsprites:\n${sprites.join('')}`;
    expect(agrees(big)?.value.sprites).toHaveProperty('s_799.seed', 799 * 7919);
    const dir = join(REPO, 'manifests');
    const demo = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(demo.length).toBeGreaterThan(3);
    for (const f of demo) expect(agrees(readFileSync(join(dir, f), 'utf8')), f).toBeDefined();
  });

  it('leaves to yaml everything outside the plain subset', () => {
    const refused = [
      'a: 1\n\tb: 2\n', // tab
      'a: 1\r\nb: 2\r\n', // CR line ends
      '\ufeffa: 1\n', // BOM
      'a: &x 1\nb: *x\n', // anchor, alias
      'base: &b\n  size: 1\ns:\n  <<: *b\n', // merge key
      'a: !!str 1\n', // tag
      'a: |\n  text\n', // block scalar
      'a:\n  - 1\n', // block list
      'a: one\n  two\n', // multi-line plain scalar
      'a: "x\\ny"\n', // escape
      'a: 1\na: 2\n', // duplicate key
      'a:\nb: 1\n', // empty value
      'a: 1\n---\nb: 2\n', // second document
      'a: 007\n', // core-schema octal-looking int
      'a: 1e5\n', // exponent
      'null: 1\n', // key the schema reads as null
      '__proto__: 1\n',
      '  a: 1\n', // indented top level
      'a:\n    b: 1\n  c: 2\n', // dedent to an indentation never opened
      'a: [x, [y]]\n', // nested list
      '# only a comment\n',
    ];
    for (const text of refused) expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined();
  });
});
