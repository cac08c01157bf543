import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../../plugin/core/errors.js';
import { seal } from '../../../plugin/core/fs/seal.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';

// The reference for every kept parse is the parse itself: a load through the cache must give
// exactly what `yaml`'s parseDocument gives without it (requests, locations, messages).

const MANIFEST = [
  'atlas: heroes',
  'x-base: &base',
  '  size: 32',
  '  remove_bg: true',
  'defaults:',
  '  seed: 7',
  'sprites:',
  '  knight:',
  '    <<: *base',
  '    prompt: a knight with a "red" cape',
  '  slime:',
  '    prompt: green slime',
  '    size: 24',
  '',
].join('\n');

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A project with one manifest; each copy lives at its own path, so the in-process memo never answers. */
async function project(text: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'retro-sprites-parse-cache-'));
  dirs.push(root);
  await mkdir(join(root, 'manifests'));
  await writeFile(join(root, 'manifests', 'heroes.yaml'), text);
  return root;
}

async function copy(root: string): Promise<string> {
  const other = await mkdtemp(join(tmpdir(), 'retro-sprites-parse-cache-'));
  dirs.push(other);
  await cp(join(root, 'manifests'), join(other, 'manifests'), { recursive: true });
  return other;
}

/** The kept parses in the folder (beside them: each file's kept requests, kept-requests.test.ts). */
const parsesIn = async (keep: string) => (await readdir(keep).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
const load = (root: string, keep: string | undefined) => loadManifests({ root, ...(keep ? { parseCache: { dir: keep } } : {}) });
/** A plan with the root taken out of its paths, to compare two projects' plans. */
const relative = (plan: unknown, root: string) => JSON.parse(JSON.stringify(plan).split(root).join('<root>'));
const errorOf = async (p: Promise<unknown>) => p.then(() => { throw new Error('no error'); }, (e: unknown) => e as ManifestError);

describe('manifest parses kept across processes', () => {
  it('a second load, from the kept parse, gives the same requests and locations as parsing', async () => {
    const keep = await mkdtemp(join(tmpdir(), 'retro-sprites-parses-'));
    dirs.push(keep);
    const a = await project(MANIFEST);
    const first = await load(a, keep);
    expect(await parsesIn(keep)).toHaveLength(1);
    const b = await copy(a);
    const kept = await load(b, keep);
    const parsed = await load(await copy(a), undefined);
    expect(relative(kept, b)).toEqual(relative(first, a));
    expect(relative(kept, b).requests).toEqual(relative(parsed, parsed.files[0]!.slice(0, -'/manifests/heroes.yaml'.length)).requests);
  });

  it('is what the next load reads: an entry sealed on this machine is taken as written, one without the seal is not', async () => {
    // Proof that the kept parse is used: an entry rewritten (hashes recomputed, sealed with this
    // machine's key) changes the prompt the next load sees. The same rewrite without the seal (a
    // pull request cannot make one) is parsed again from the manifest.
    const keep = await mkdtemp(join(tmpdir(), 'retro-sprites-parses-'));
    dirs.push(keep);
    const a = await project(MANIFEST);
    await load(a, keep);
    const [name] = await parsesIn(keep);
    const file = await readFile(join(keep, name!));
    const text = file.subarray(0, file.length - 32).toString('utf8');
    const [headerLine, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)];
    const edited = body.replace('green slime', 'blue slime');
    const header = { ...JSON.parse(headerLine), body: createHash('sha256').update(edited).digest('hex') };
    const rewritten = Buffer.from(`${JSON.stringify(header)}\n${edited}`);

    await writeFile(join(keep, name!), rewritten);
    expect((await load(await copy(a), keep)).requests.find((r) => r.sprite === 'slime')!.payload.prompt).toBe('green slime');
    await writeFile(join(keep, name!), await seal(name!, rewritten));
    expect((await load(await copy(a), keep)).requests.find((r) => r.sprite === 'slime')!.payload.prompt).toBe('blue slime');
  });

  it('never trusts a damaged, foreign or malformed entry: the file is parsed again', async () => {
    const keep = await mkdtemp(join(tmpdir(), 'retro-sprites-parses-'));
    dirs.push(keep);
    const a = await project(MANIFEST);
    const truth = relative(await load(a, keep), a);
    const [name] = await parsesIn(keep);
    const path = join(keep, name!);
    const good = await readFile(path, 'utf8');
    const nl = good.indexOf('\n');
    const header = JSON.parse(good.slice(0, nl));
    const body = good.slice(nl + 1);
    const withHeader = (h: object, b: string) => `${JSON.stringify(h)}\n${b}`;
    const bodyHash = (b: string) => createHash('sha256').update(b).digest('hex');
    const wrongShape = JSON.stringify({ value: { sprites: {} }, locations: { s: { slime: [0, -1, {}] }, d: {} } });
    const damaged = [
      withHeader(header, body.replace('green slime', 'blue slime')), // body changed, hash not: damage
      body, // no header
      withHeader({ ...header, text: '0'.repeat(64) }, body), // written for other bytes
      withHeader({ ...header, format: 999 }, body), // another format
      withHeader({ ...header, body: bodyHash(wrongShape) }, wrongShape), // hashes right, shape wrong
      withHeader({ ...header, body: bodyHash('[1,2]') }, '[1,2]'),
      'not json at all',
      '',
    ];
    for (const text of damaged) {
      await writeFile(path, text);
      const b = await copy(a);
      expect(relative(await load(b, keep), b)).toEqual(truth);
      // The parse that replaced it is a good entry again.
      expect(await readFile(path, 'utf8')).toBe(good);
    }
  });

  it('an error in a manifest kept clean says the same, at the same place, from the kept parse', async () => {
    const keep = await mkdtemp(join(tmpdir(), 'retro-sprites-parses-'));
    dirs.push(keep);
    // Valid YAML (kept), invalid manifest: the message needs locations the entry does not hold.
    const bad = MANIFEST.replace('    prompt: green slime', '    promt: green slime');
    const a = await project(bad);
    const first = await errorOf(load(a, keep));
    expect(await parsesIn(keep)).toHaveLength(1);
    const b = await copy(a);
    const again = await errorOf(load(b, keep));
    const fresh = await errorOf(load(await copy(a), undefined));
    expect(first).toBeInstanceOf(ManifestError);
    expect(relative(again.diagnostics, b)).toEqual(relative(first.diagnostics, a));
    expect(again.diagnostics.map((d) => [d.code, d.location.line, d.location.column])).toEqual(fresh.diagnostics.map((d) => [d.code, d.location.line, d.location.column]));
  });

  it('keeps nothing for a file the parser had something to say about, nor for values JSON would change', async () => {
    const keep = await mkdtemp(join(tmpdir(), 'retro-sprites-parses-'));
    dirs.push(keep);
    await errorOf(load(await project('sprites:\n  knight:\n    prompt: "unclosed\n'), keep));
    await errorOf(load(await project('sprites:\n  knight:\n    prompt: x\n    seed: .inf\n'), keep));
    expect(await readdir(keep).catch(() => [])).toEqual([]);
  });
});
