import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../plugin/core/errors.js';
import { encodePng } from '../../plugin/core/image/png.js';
import { loadManifests, type ManifestPlan } from '../../plugin/core/manifest/index.js';
import './seeded.js';

let root: string;
let file: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'retro-hardening-manifest-'));
  await mkdir(join(root, 'manifests', 'refs'), { recursive: true });
  file = join(root, 'manifests', 'fuzz.yaml');
  const ref = encodePng({ width: 2, height: 2, data: new Uint8Array(16).fill(200) });
  await writeFile(join(root, 'manifests', 'refs', 'ok.png'), ref);
  await writeFile(join(root, 'manifests', 'refs', 'not-png.png'), 'hello');
});
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * Loads `text` as the project's one manifest. Whatever the text, the outcome is a plan, or a
 * ManifestError whose every diagnostic points at a real place in this file; nothing else escapes.
 */
async function loadText(text: string): Promise<ManifestPlan | ManifestError> {
  await writeFile(file, text);
  let outcome: ManifestPlan | ManifestError;
  try {
    outcome = await loadManifests({ root });
  } catch (err) {
    if (!(err instanceof ManifestError)) throw new Error(`an exception other than ManifestError escaped: ${String((err as Error)?.stack ?? err)}\n--- manifest ---\n${text}`);
    outcome = err;
  }
  const lines = text.split(/\r\n|\r|\n/);
  const diagnostics = outcome instanceof ManifestError ? outcome.diagnostics : outcome.warnings;
  if (outcome instanceof ManifestError) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
  for (const d of diagnostics) {
    const where = `${d.code} at ${d.location.line}:${d.location.column} (${d.message})\n--- manifest ---\n${text}`;
    expect(d.location.file, where).toBe(file);
    expect(Number.isInteger(d.location.line) && d.location.line >= 1 && d.location.line <= lines.length, where).toBe(true);
    const line = lines[d.location.line - 1] ?? '';
    expect(Number.isInteger(d.location.column) && d.location.column >= 1 && d.location.column <= line.length + 1, where).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.message).not.toMatch(/\n\s+at /); // no stack trace
  }
  if (!(outcome instanceof ManifestError)) {
    for (const r of outcome.requests) {
      expect(r.payload.prompt.length).toBeGreaterThan(0);
      expect(r.payload.width).toBeGreaterThan(0);
      expect(r.payload.height).toBeGreaterThan(0);
    }
  }
  return outcome;
}

/** Fragments YAML is made of, good and bad, so random text is mostly near-YAML rather than noise. */
const TOKENS = [
  'atlas', 'defaults', 'sprites', 'hero', 'coin', 'prompt', 'size', 'width', 'height', 'seed', 'num_images', 'prompt_style',
  'input_image', 'animation', 'origin', 'tile_x', 'remove_bg', 'frame_rate', 'x-base', 'game_asset', 'texture',
  'animation_four_angle_walking', 'rd_fast__retro', 'RD_FLUX', 'RD_CLASSIC', 'knight', 'refs/ok.png', '../../etc/passwd',
  '/etc/passwd', 'C:\\\\x.png', '..\\\\..\\\\x.png', 'refs/not-png.png',
  ':', ': ', ' ', '  ', '    ', '\n', '\n  ', '\n    ', '\t', '- ', '-', '#', '"', "'", '{', '}', '[', ']', ',', '|', '>', '?',
  '&a ', '*a', '<<: *a', '!!binary ', '!!set ', '!custom ', '!!str ', '%YAML 1.2\n', '---\n', '...\n', '~', 'null', 'true', 'yes',
  '0', '1', '-1', '16', '32', '48', '64', '1e9', '0x10', '.inf', '.nan', '99999999999999999999', '0.5', '[0.5, 1]', '{x: 0, y: 2}',
  '\u00e9', '\u{1F600}', '\u0000', '\r\n', '\uFEFF', '@', '`', '%',
];

const yamlishText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(''));

/** Sprite keys with values drawn from valid and invalid ones alike. */
const valueOf: Record<string, fc.Arbitrary<unknown>> = {
  prompt: fc.oneof(fc.constantFrom('knight', '', '<script>alert(1)</script>', 'x'.repeat(300)), fc.string(), fc.integer()),
  prompt_style: fc.constantFrom('game_asset', 'texture', 'animation_four_angle_walking', 'rd_fast__retro', 'no_such_style', 42),
  model: fc.constantFrom('RD_FLUX', 'RD_CLASSIC', 'NOPE'),
  size: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constantFrom(16, 32, 48, 64), fc.double(), fc.string()),
  width: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constant(32)),
  height: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constant(32)),
  num_images: fc.integer({ min: -1, max: 40 }),
  seed: fc.oneof(fc.integer(), fc.constant(2 ** 40), fc.double()),
  input_image: fc.constantFrom('refs/ok.png', 'refs/missing.png', 'refs/not-png.png', '../../etc/passwd', '/etc/passwd', 'C:\\x.png', '..\\..\\x.png', 'refs', ''),
  strength: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.constant('strong')),
  remove_bg: fc.oneof(fc.boolean(), fc.constant('yes')),
  tile_x: fc.boolean(),
  tile_y: fc.boolean(),
  return_spritesheet: fc.boolean(),
  upscale_output_factor: fc.oneof(fc.constant(null), fc.double({ min: -1, max: 20, noNaN: true })),
  animation: fc.oneof(fc.boolean(), fc.record({ directions: fc.array(fc.constantFrom('down', 'up', 'bad name'), { maxLength: 4 }), frames: fc.integer({ min: -1, max: 70 }), order: fc.constantFrom('rows', 'columns', 'diagonal') }, { requiredKeys: [] })),
  frame_rate: fc.oneof(fc.double({ min: -1, max: 200, noNaN: true }), fc.constant(0)),
  repeat: fc.integer({ min: -3, max: 10 }),
  origin: fc.oneof(fc.tuple(fc.double({ min: -1, max: 2, noNaN: true }), fc.double({ min: -1, max: 2, noNaN: true })), fc.record({ x: fc.double({ min: 0, max: 1, noNaN: true }), y: fc.string() })),
  colour: fc.string(),
};
const entryArb = fc.dictionary(fc.constantFrom(...Object.keys(valueOf)), fc.constant(null), { maxKeys: 7 })
  .chain((keys) => fc.record(Object.fromEntries(Object.keys(keys).map((k) => [k, valueOf[k]!]))));

const manifestArb = fc.record(
  {
    atlas: fc.oneof(fc.constantFrom('items', 'bad name', 'x/../y'), fc.integer()),
    defaults: fc.oneof(entryArb, fc.constant(null), fc.constant('oops')),
    sprites: fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom('hero', 'coin', 'gem_1', 'a-b'), fc.string({ maxLength: 8 })), fc.oneof({ weight: 6, arbitrary: entryArb }, { weight: 1, arbitrary: fc.string() }), { maxKeys: 5 }),
      fc.constant([{ prompt: 'list' }]),
      fc.constant(null),
    ),
    sprits: fc.constant({}),
  },
  { requiredKeys: ['sprites'] },
);

describe('the manifest loader over random input', () => {
  it('random YAML-ish text: a plan, or errors each at a file:line:col inside the file', async () => {
    await fc.assert(fc.asyncProperty(yamlishText, async (text) => {
      await loadText(text);
    }), { numRuns: 300 });
  });

  it('random entries written as YAML: a plan, or errors each at a file:line:col inside the file', async () => {
    let plans = 0;
    await fc.assert(fc.asyncProperty(manifestArb, async (m) => {
      const outcome = await loadText(stringify(m));
      if (!(outcome instanceof ManifestError)) plans++;
    }), { numRuns: 250 });
    // The generator reaches valid manifests too, so the plan side of the property is exercised.
    expect(plans).toBeGreaterThan(0);
  });

  it('valid sprites keep loading whatever sits in an x- extension key beside them', async () => {
    // A key spelled `<<` is YAML's merge key, not data: it is refused (tested in manifest-safety).
    const junkArb = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v ?? null).includes('"<<"'));
    await fc.assert(fc.asyncProperty(junkArb, async (junk) => {
      const outcome = await loadText(stringify({ 'x-notes': junk, sprites: { hero: { prompt: 'knight', size: 32 } } }));
      expect(outcome).not.toBeInstanceOf(ManifestError);
      expect((outcome as ManifestPlan).requests.map((r) => r.sprite)).toEqual(['hero']);
    }), { numRuns: 100 });
  });
});
