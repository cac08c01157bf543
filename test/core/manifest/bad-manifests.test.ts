import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManifestError, formatDiagnostic, type Diagnostic } from '../../../plugin/core/errors.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';
import { FIXTURES, badCorpusProject, type TempProject } from './fixture-project.js';

/**
 * Every manifest under test/fixtures/manifests/bad, what a user is told about it, and where.
 * `at` is [line, column] of the offending node (for a missing key, the sprite's name).
 */
interface Case {
  files: string[];
  at: [number, number];
  file?: string;
  message: string;
  hint?: string;
}

const CASES: Record<string, Case> = {
  'unclosed quote': { files: ['syntax-unclosed-quote.yaml'], at: [3, 13], message: 'YAML syntax: this double-quoted text is never closed' },
  'bad indentation': { files: ['syntax-bad-indent.yaml'], at: [4, 1], message: 'YAML syntax: All mapping items must start at the same column', hint: 'line the key up' },
  'tab indentation': { files: ['syntax-tab-indent.yaml'], at: [3, 1], message: 'Tabs are not allowed as indentation', hint: 'indent with spaces' },
  'a key written twice': { files: ['duplicate-key.yaml'], at: [5, 5], message: 'Map keys must be unique' },
  'several YAML documents': { files: ['multiple-documents.yaml'], at: [5, 1], message: 'more than one YAML document' },
  'a list instead of a mapping': { files: ['not-a-mapping.yaml'], at: [1, 1], message: 'a manifest is a mapping with atlas, defaults and sprites; got a list of 2' },
  'a misspelt top-level key': { files: ['unknown-top-level-key.yaml'], at: [2, 1], message: 'unknown top-level key "sprite"', hint: 'did you mean "sprites"?' },
  'a misspelt sprite key': { files: ['unknown-entry-key.yaml'], at: [3, 5], message: 'unknown key "promt" in sprite "hero"', hint: 'did you mean "prompt"?' },
  'a misspelt animation key': { files: ['animation-layout-key.yaml'], at: [6, 7], message: 'unknown key "direction" in animation of sprite "hero_walk"', hint: 'did you mean "directions"?' },
  'an unknown style': { files: ['unknown-style.yaml'], at: [4, 19], message: 'unknown prompt_style "game_aset"', hint: 'did you mean "game_asset"?' },
  'an unknown model': { files: ['unknown-model.yaml'], at: [3, 12], message: 'unknown model "RD_FLUXX"', hint: 'did you mean "RD_FLUX"?' },
  'a retired model in defaults': { files: ['retired-model.yaml'], at: [2, 10], message: 'sprite "hero": model RD_CLASSIC was retired by the API', hint: 'use model: RD_FLUX' },
  'a width with units': { files: ['wrong-type-width.yaml'], at: [4, 12], message: 'width must be an integer from 12 to 512; got "64px" (text)', hint: 'without "px"' },
  'yes for a boolean': { files: ['boolean-yes.yaml'], at: [5, 16], message: 'remove_bg must be true or false; got "yes" (text)', hint: 'YAML 1.2 reads yes as text' },
  'a size beyond the API': { files: ['size-out-of-range.yaml'], at: [4, 11], message: 'size must be an integer from 12 to 512; got 600' },
  'a size beyond the style': { files: ['style-size-range.yaml'], at: [6, 11], message: 'size 32 is outside the range of prompt_style rd_fast__default (64 to 384 pixels)' },
  'size and width together': { files: ['size-and-width.yaml'], at: [4, 11], message: 'size and width/height are both given' },
  'a missing height': { files: ['missing-size.yaml'], at: [2, 3], message: 'sprite "hero" has no height' },
  'a missing prompt': { files: ['missing-prompt.yaml'], at: [6, 3], message: 'sprite "coin" has no prompt', hint: 'add `prompt:' },
  'a sprite name with a space': { files: ['invalid-sprite-name.yaml'], at: [2, 3], message: 'sprite name "my hero" may only use letters, digits, _ and -', hint: 'my_hero' },
  'a huge seed': { files: ['huge-number.yaml'], at: [5, 11], message: 'seed must be an integer from 0 to 2147483647; got 1.2345678901234568e+29', hint: 'far too large' },
  'a negative seed': { files: ['negative-seed.yaml'], at: [5, 11], message: 'seed must be an integer from 0 to 2147483647; got -7' },
  'strength above 1': { files: ['strength-range.yaml'], at: [6, 15], message: 'strength must be a number from 0 to 1; got 1.5' },
  'too many images for the style': { files: ['num-images-over-max.yaml'], at: [6, 17], message: 'prompt_style rd_pro__dungeon_map makes at most 4 images per request; got num_images 8' },
  'several images of an animation': { files: ['animation-num-images.yaml'], at: [5, 17], message: 'makes one animation per request; num_images must be 1, got 4' },
  'a style that needs an input image': { files: ['requires-input-image.yaml'], at: [4, 19], message: 'prompt_style rd_pro__pixelate needs an input_image' },
  'an origin outside the frame': { files: ['origin-range.yaml'], at: [5, 19], message: 'origin[1] must be a number from 0 to 1; got 2' },
  'a bad value pulled in by a merge key': { files: ['merged-anchor-error.yaml'], at: [2, 9], message: 'size must be an integer from 12 to 512; got 9000' },
  'a path climbing out with ../': { files: ['path-escape-dotdot.yaml'], at: [5, 18], message: '"../../outside.png" resolves to ../outside.png, outside the project root' },
  'an absolute path': { files: ['path-absolute.yaml'], at: [5, 20], message: '"/etc/passwd" is an absolute path' },
  'a symlink leading out of the project': { files: ['symlink-escape.yaml'], at: [5, 18], message: '"refs/escape.png" is a symlink to', hint: 'copy the image into the project' },
  'a missing input file': { files: ['missing-file.yaml'], at: [5, 18], message: 'file not found: "refs/hero.pgn"', hint: 'did you mean "hero.png"?' },
  'a text file as input image': { files: ['non-image.yaml'], at: [5, 18], message: '"refs/notes.txt" is a text file, not a PNG' },
  'a JPEG palette': { files: ['jpeg-palette.yaml'], at: [5, 20], message: '"refs/photo.jpg" is a JPEG file, not a PNG', hint: 'convert it to PNG' },
  'an alias bomb': { files: ['alias-bomb.yaml'], at: [2, 10], message: 'YAML aliases expand to too much data' },
  'a tag outside the core schema': { files: ['unsupported-tag.yaml'], at: [3, 13], message: 'YAML tag !!binary is not supported' },
  'one sprite name in two files of an atlas': {
    files: ['duplicate-a.yaml', 'duplicate-b.yaml'],
    file: 'duplicate-b.yaml',
    at: [6, 3],
    message: 'sprite "hero" is defined twice in atlas "shared": here and at manifests/duplicate-a.yaml:3:3',
  },
};

let project: TempProject;
beforeAll(async () => {
  project = await badCorpusProject();
});
afterAll(() => project.remove());

async function errorsOf(files: string[]): Promise<Diagnostic[]> {
  const manifests = files.map((f) => `manifests/${f}`);
  const err = await loadManifests({ root: project.root, manifests }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${files.join(', ')} should be refused`).toBeInstanceOf(ManifestError);
  return (err as ManifestError).diagnostics;
}

describe('a bad manifest is refused with what is wrong, where, and how to fix it', () => {
  test.each(Object.entries(CASES))('%s', async (_name, c) => {
    const diagnostics = await errorsOf(c.files);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const match = errors.find((d) => d.message.includes(c.message));
    expect(match, `no error says "${c.message}"; got:\n${diagnostics.map((d) => formatDiagnostic(d, project.root)).join('\n')}`).toBeDefined();
    expect(path.basename(match!.location.file)).toBe(c.file ?? c.files[0]);
    expect([match!.location.line, match!.location.column]).toEqual(c.at);
    expect(match!.hint, 'every error says how to fix it').toBeTruthy();
    if (c.hint) expect(match!.hint).toContain(c.hint);
    // One mistake, one message: no cascade of follow-up errors.
    expect(errors).toHaveLength(1);
  });

  test('the corpus covers every fixture file', async () => {
    const fixtures = (await fs.readdir(path.join(FIXTURES, 'bad'))).filter((f) => f.endsWith('.yaml'));
    const covered = new Set(Object.values(CASES).flatMap((c) => c.files));
    covered.add('animation-size-warning.yaml').add('many-errors.yaml');
    expect(fixtures.filter((f) => !covered.has(f))).toEqual([]);
    expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(25);
  });

  test('all errors of a file are reported together, in file order', async () => {
    const diagnostics = await errorsOf(['many-errors.yaml']);
    expect(diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.message}`)).toEqual([
      '7:19 unknown prompt_style "retor"',
      '10:17 num_images must be an integer from 1 to 16; got 0',
      '12:5 unknown key "promt" in sprite "gem"',
    ]);
  });

  test('all errors of a run are reported together, across files', async () => {
    const diagnostics = await errorsOf(['unknown-style.yaml', 'boolean-yes.yaml', 'missing-file.yaml', 'syntax-tab-indent.yaml']);
    expect(new Set(diagnostics.map((d) => path.basename(d.location.file)))).toEqual(
      new Set(['unknown-style.yaml', 'boolean-yes.yaml', 'missing-file.yaml', 'syntax-tab-indent.yaml']),
    );
  });

  test('the error message lists every error as file:line:col, paths relative to the root', async () => {
    const err = await loadManifests({ root: project.root, manifests: ['manifests/boolean-yes.yaml', 'manifests/unknown-style.yaml'] }).catch((e: unknown) => e);
    expect((err as ManifestError).message).toBe([
      '2 manifest errors:',
      '  manifests/boolean-yes.yaml:5:16: remove_bg must be true or false; got "yes" (text) (YAML 1.2 reads yes as text; write true or false)',
      '  manifests/unknown-style.yaml:4:19: unknown prompt_style "game_aset" (did you mean "game_asset"? if the API added this style since, allow it with the plugin option `allowUnknownStyles: true` (in the CLI: with --allow-unknown-styles))',
    ].join('\n'));
  });

  test('an unknown style is accepted when unknown styles are allowed', async () => {
    const plan = await loadManifests({ root: project.root, manifests: 'manifests/unknown-style.yaml', allowUnknownStyles: true });
    expect(plan.requests[0]!.payload.prompt_style).toBe('game_aset');
  });

  test('an animation style asked at another size is a warning, and the size is normalized', async () => {
    const plan = await loadManifests({ root: project.root, manifests: 'manifests/animation-size-warning.yaml' });
    expect(plan.requests.map((r) => [r.sprite, r.payload.width, r.payload.height])).toEqual([
      ['hero_walk', 48, 48],
      ['slime_walk', 48, 48],
    ]);
    expect(plan.warnings.map((d) => [d.severity, d.location.line, d.location.column, d.message])).toEqual([
      ['warning', 6, 19, 'prompt_style animation_four_angle_walking always answers 48x48; the 64x64 asked for is normalized to 48x48'],
      ['warning', 10, 12, 'prompt_style rd_animation__four_angle_walking always answers 48x48; the 96x96 asked for is normalized to 48x48'],
    ]);
  });

  test('a manifest over 1 MiB is refused before it is parsed', async () => {
    const big = 'sprites:\n' + Array.from({ length: 30_000 }, (_, i) => `  s${i}: { prompt: "a very ordinary sprite number ${i}", size: 64 }`).join('\n');
    await project.write('manifests/generated/too-big.yaml', big);
    const diagnostics = await errorsOf(['generated/too-big.yaml']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(/^manifest is \d+ bytes; the limit is 1048576 bytes \(1 MiB\)$/);
    expect([diagnostics[0]!.location.line, diagnostics[0]!.location.column]).toEqual([1, 1]);
  });

  test('pathological nesting is refused, not a crash', async () => {
    await project.write('manifests/generated/deep.yaml', 'sprites: ' + '['.repeat(200_000));
    const diagnostics = await errorsOf(['generated/deep.yaml']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain('nested too deeply');
  });
});
