import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../../plugin/core/errors.js';
import { seal } from '../../../plugin/core/fs/seal.js';
import { cacheKey } from '../../../plugin/core/cache-key.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';
import type { PayloadKeys } from '../../../plugin/core/manifest/kept-requests.js';
import type { ApiPayload } from '../../../plugin/core/payload.js';
import { LastParses } from '../../../plugin/core/manifest/last-parses.js';

// After one sprite's edit, every other manifest's requests come from what the last process built
// (kept-requests.ts). The reference is the full load: a load through the kept requests must give
// exactly what checking and building every sprite gives (requests, warnings, locations).

const MANIFEST = [
  'atlas: heroes',
  'defaults:',
  '  seed: 7',
  '  size: 32',
  'sprites:',
  '  knight:',
  '    prompt: a knight with a red cape',
  '    remove_bg: true',
  '  slime:',
  '    prompt: green slime',
  '    size: 24',
  '  blink:',
  '    prompt: blinking eye',
  '    animation: true', // a warning: one image makes a one-frame animation
  '',
].join('\n');

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const root = await temp('retro-sprites-kept-requests-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

/** Each call is a new process's load: no in-process memo is shared between two calls. */
const load = (root: string, keep?: string, allowUnknownStyles = false) =>
  loadManifests({ root, allowUnknownStyles, ...(keep ? { parseCache: { dir: keep } } : {}) });
const keptIn = async (keep: string) => (await readdir(keep).catch(() => [] as string[])).filter((n) => n.endsWith('.requests.json'));
const errorOf = async (p: Promise<unknown>) => p.then(() => { throw new Error('no error'); }, (e: unknown) => e as ManifestError);

/** The kept entry rewritten to give `slime` another prompt, its hashes made again; sealed with this machine's key or not. */
async function poison(keep: string, sealed: boolean): Promise<void> {
  const [name] = await keptIn(keep);
  const path = join(keep, name!);
  const file = await readFile(path);
  const text = file.subarray(0, file.length - 32).toString('utf8');
  const body = text.slice(text.indexOf('\n') + 1).replace('green slime', 'blue slime');
  const header = { ...JSON.parse(text.slice(0, text.indexOf('\n'))), body: createHash('sha256').update(body).digest('hex') };
  const rewritten = Buffer.from(`${JSON.stringify(header)}\n${body}`);
  await writeFile(path, sealed ? await seal(name!, rewritten) : rewritten);
}
const slimePrompt = async (root: string, keep: string, allow = false) =>
  (await load(root, keep, allow)).requests.find((r) => r.sprite === 'slime')!.payload.prompt;

describe('each manifest\'s requests, kept across processes', () => {
  it('a later load gives exactly the requests, warnings and locations of checking and building every sprite', async () => {
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    const full = await load(root);
    expect(full.warnings.map((w) => w.code)).toEqual(['one-frame-animation']);
    await load(root, keep);
    expect(await keptIn(keep)).toHaveLength(1);
    const kept = await load(root, keep);
    expect(kept).toEqual(full);
    expect(kept.requests.find((r) => r.sprite === 'knight')!.fieldSources.seed).toEqual({ file: full.files[0], line: 3, column: 9 });
  });

  it('is what the next load reads: an entry sealed on this machine is taken as written, one without the seal is not', async () => {
    // Proof that the kept requests are used (nothing is parsed or built): a rewritten entry, sealed
    // with this machine's key, changes the prompt the next load sees. Without the seal (a pull
    // request cannot make one) the file is checked and built again.
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    await load(root, keep);
    await poison(keep, false);
    expect(await slimePrompt(root, keep)).toBe('green slime');
    await poison(keep, true);
    expect(await slimePrompt(root, keep)).toBe('blue slime');
  });

  it('stands only for the same bytes at the same path with the same allowUnknownStyles', async () => {
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    await load(root, keep);
    await poison(keep, true);
    expect(await slimePrompt(root, keep)).toBe('blue slime');
    expect(await slimePrompt(root, keep, true)).toBe('green slime');
    const moved = await project({ 'manifests/heroes.yaml': MANIFEST });
    expect(await slimePrompt(moved, keep)).toBe('green slime');
    await writeFile(join(root, 'manifests/heroes.yaml'), MANIFEST.replace('red cape', 'blue cape'));
    const edited = await load(root, keep);
    expect(edited.requests.find((r) => r.sprite === 'slime')!.payload.prompt).toBe('green slime');
    expect(edited.requests.find((r) => r.sprite === 'knight')!.payload.prompt).toBe('a knight with a blue cape');
  });

  it('keeps nothing for a sprite that reads an input image (the image can change while the manifest does not)', async () => {
    const png = new PNG({ width: 1, height: 1 });
    png.data.set([200, 0, 0, 255]);
    const keep = await temp('retro-sprites-parses-');
    const root = await project({
      'manifests/heroes.yaml': `${MANIFEST}  statue:\n    prompt: stone statue\n    input_image: ../art/statue.png\n`,
      'art/statue.png': PNG.sync.write(png),
    });
    await load(root, keep);
    expect(await keptIn(keep)).toEqual([]);
    png.data.set([0, 200, 0, 255]);
    await writeFile(join(root, 'art/statue.png'), PNG.sync.write(png));
    const image = (await load(root, keep)).requests.find((r) => r.sprite === 'statue')!.payload.input_image!;
    expect([...PNG.sync.read(Buffer.from(image, 'base64')).data]).toEqual([0, 200, 0, 255]);
  });

  it('keeps nothing for a file with an error, and a duplicate across two kept files is still found', async () => {
    const keep = await temp('retro-sprites-parses-');
    const bad = await project({ 'manifests/heroes.yaml': MANIFEST.replace('    size: 24', '    size: -3') });
    await errorOf(load(bad, keep));
    expect(await keptIn(keep)).toEqual([]);

    const root = await project({
      'manifests/heroes.yaml': MANIFEST,
      'manifests/more.yaml': 'atlas: more\nsprites:\n  slime:\n    prompt: red slime\n    size: 16\n',
    });
    await load(root, keep);
    expect(await keptIn(keep)).toHaveLength(2);
    // Both files kept clean on their own, then loaded together: the names clash.
    const heroes = join(root, 'manifests/heroes.yaml');
    await rm(heroes);
    await writeFile(join(root, 'manifests/more.yaml'), 'atlas: heroes\nsprites:\n  slime:\n    prompt: red slime\n    size: 16\n');
    await load(root, keep);
    await writeFile(heroes, MANIFEST);
    expect(await keptIn(keep)).toHaveLength(3);
    const again = await errorOf(load(root, keep));
    expect(again.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['duplicate-sprite']);
    expect(again.diagnostics.find((d) => d.severity === 'error')!.location).toMatchObject({ file: join(root, 'manifests/more.yaml'), line: 3, column: 3 });
  });

  it('a long-lived project (the dev server) keeps each text once, and its next loads give the same request objects', async () => {
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    const parses = new LastParses();
    const first = await loadManifests({ root, parses, parseCache: { dir: keep } });
    const [name] = await keptIn(keep);
    const written = await stat(join(keep, name!));
    const again = await loadManifests({ root, parses, parseCache: { dir: keep } });
    expect((await stat(join(keep, name!))).ino).toBe(written.ino); // not written again (atomic writes make a new inode)
    expect(again.requests[0]).toBe(first.requests[0]);
  });

  it('keeps each sprite\'s cache key beside it, used only under the same keying', async () => {
    /** Keys as a project makes them under one provider, counting the ones it had to compute. */
    const keying = (id: string) => {
      const computed: ApiPayload[] = [];
      const known = new Map<ApiPayload, string>();
      const keys: PayloadKeys = {
        name: `${id}@1`,
        of: (p) => known.get(p) ?? (computed.push(p), cacheKey(p, { id, version: '1' })),
        know: (p, key) => void known.set(p, key),
      };
      return { keys, computed, known };
    };
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    const first = keying('placeholder');
    await loadManifests({ root, parseCache: { dir: keep }, keys: first.keys });
    expect(first.computed).toHaveLength(3);

    // The next process computes none of them, and knows exactly the keys cacheKey gives.
    const next = keying('placeholder');
    const plan = await loadManifests({ root, parseCache: { dir: keep }, keys: next.keys });
    expect(next.computed).toHaveLength(0);
    for (const r of plan.requests) expect(next.known.get(r.payload)).toBe(cacheKey(r.payload, { id: 'placeholder', version: '1' }));

    // Another provider's keys are other keys: none is taken from the entry.
    const other = keying('retrodiffusion');
    await loadManifests({ root, parseCache: { dir: keep }, keys: other.keys });
    expect(other.known.size).toBe(0);
  });

  it('a caller that saves later (a session) is handed the writes: nothing is written until it runs them, then the next load reads them', async () => {
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    const writes: (() => Promise<void>)[] = [];
    const keys = (computed: ApiPayload[]): PayloadKeys => ({ name: 'placeholder@1', of: (p) => (computed.push(p), cacheKey(p, { id: 'placeholder', version: '1' })), know: () => undefined });
    const first = await loadManifests({ root, parseCache: { dir: keep, later: (write) => writes.push(write) }, keys: keys([]) });
    expect(writes).toHaveLength(1);
    expect(await readdir(keep).catch(() => [])).toEqual([]);
    await writes[0]!();
    // The next process takes the kept requests, keys included: it computes none.
    const computed: ApiPayload[] = [];
    const next = await loadManifests({ root, parseCache: { dir: keep }, keys: keys(computed) });
    expect(computed).toHaveLength(0);
    expect(next.requests).toEqual(first.requests);
  });

  it('a cache folder that cannot be written keeps nothing and fails nothing', async () => {
    const root = await project({ 'manifests/heroes.yaml': MANIFEST, 'not-a-folder': 'a file' });
    const keep = join(root, 'not-a-folder', '.parses');
    expect(await load(root, keep)).toEqual(await load(root));
  });

  it('stays within its limit however often a file is edited: the least recently used entries go, the current text\'s stays and is read', async () => {
    const keep = await temp('retro-sprites-parses-');
    const root = await project({ 'manifests/heroes.yaml': MANIFEST });
    const edited = (i: number) => MANIFEST.replace('a red cape', `a red cap${i}`);
    await writeFile(join(root, 'manifests/heroes.yaml'), edited(0));
    await loadManifests({ root, parseCache: { dir: keep } });
    const [first] = await keptIn(keep);
    const one = (await stat(join(keep, first!))).size;
    // Room for one entry and a half: each edit's entry replaces the last one.
    for (let i = 1; i <= 5; i++) {
      await writeFile(join(root, 'manifests/heroes.yaml'), edited(i));
      await loadManifests({ root, parseCache: { dir: keep, limitBytes: Math.floor(one * 1.5) } });
      expect(await keptIn(keep)).toHaveLength(1);
    }
    // The one left is the current text's: a sealed change to it is what the next load reads.
    await poison(keep, true);
    expect(await slimePrompt(root, keep)).toBe('blue slime');
  });
});
