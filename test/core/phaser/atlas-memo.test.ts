import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../plugin/core/image/png.js';
import { SpriteSession, type Snapshot } from '../../../plugin/core/session.js';
import { writeProject } from '../../helpers/project.js';
import { regenerateEntry } from '../../helpers/regenerated-entry.js';
import { useTempDirs } from '../../helpers/tmp.js';

// The reference for a kept atlas is the full path: decode, pack and encode from the cached art.
// A build from the memo must ship exactly the bytes that path ships, and a damaged memo none of its own.

const tempDir = useTempDirs();
const CACHE = 'manifests/.retro-cache';

const MANIFESTS = {
  'manifests/gems.yaml': 'atlas: gems\nsprites:\n  ruby:\n    prompt: red gem\n    size: 16\n  opal:\n    prompt: white gem\n    size: 24\n    num_images: 2\n',
  'manifests/tiles.yaml': 'atlas: tiles\nsprites:\n  grass:\n    prompt: grass tile\n    size: 16\n    tile_x: true\n    tile_y: true\n  rock:\n    prompt: rock\n    size: 32\n',
};

/** One `vite build`'s session: a fresh process's view (nothing in memory), the memo on. */
async function build(root: string, warnings: string[] = []): Promise<Snapshot> {
  const session = new SpriteSession({ root, provider: 'placeholder', atlasMemo: true, reporter: { warn: (w) => warnings.push(w) } });
  return session.refresh();
}
/**
 * The art generated, and a moment passed: output made from an entry written as the build ran is
 * not kept by it (a later change could carry the same timestamps), so a user's next build keeps.
 */
async function generated(root: string): Promise<void> {
  await build(root);
  await sleep(100);
}
const bytesOf = (s: Snapshot) => Object.fromEntries(s.files.map((f) => [f.fileName, Buffer.from(f.bytes).toString('base64')]));
const memoFiles = async (root: string) => (await readdir(join(root, CACHE, '.atlases')).catch(() => [] as string[])).sort();
/** The kept outputs, one per atlas build (each atlas also has a `last-` pointer to its latest). */
const memoRecords = async (root: string) => (await memoFiles(root)).filter((f) => f.endsWith('.json') && !f.startsWith('last-'));
const imageFiles = async (root: string) => {
  const out: string[] = [];
  for (const shard of (await readdir(join(root, CACHE))).filter((d) => /^[0-9a-f]{2}$/.test(d))) {
    for (const key of await readdir(join(root, CACHE, shard))) {
      for (const f of await readdir(join(root, CACHE, shard, key))) if (/\.(png|gif)$/.test(f)) out.push(join(root, CACHE, shard, key, f));
    }
  }
  return out;
};

describe('an unchanged build takes each atlas from the memo', () => {
  it('ships the same bytes as the full path, without reading a single cached image', async () => {
    const root = await tempDir();
    await writeProject(root, MANIFESTS);
    await generated(root);
    const first = await build(root);
    expect(await memoRecords(root)).toHaveLength(2);
    // Proof that no image is read: overwrite them all in place (their entries' folders, whose
    // signatures key the memo, stay as they were). The memo's own PNGs are verified instead.
    for (const f of await imageFiles(root)) await writeFile(f, 'not an image');
    const warm = await build(root);
    expect(bytesOf(warm)).toEqual(bytesOf(first));
    expect(warm.keys).toEqual(first.keys);
    expect(warm.summary).toMatchObject({ sprites: 4, cached: 4, toGenerate: 0 });
  });

  it('the pages it ships are real PNGs of the packed art (decoded by our reader, as the full path made them)', async () => {
    const root = await tempDir();
    await writeProject(root, MANIFESTS);
    const first = await build(root);
    const warm = await build(root);
    for (const f of warm.files.filter((x) => x.fileName.endsWith('.png'))) {
      const img = decodePng(f.bytes);
      expect(img.width).toBeGreaterThan(0);
      expect(Buffer.from(f.bytes)).toEqual(Buffer.from(first.files.find((x) => x.fileName === f.fileName)!.bytes));
    }
  });

  it('a sprite whose art changed rebuilds its atlas only; the other stays kept', async () => {
    const root = await tempDir();
    await writeProject(root, MANIFESTS);
    await generated(root);
    await build(root);
    await writeFile(join(root, 'manifests/gems.yaml'), MANIFESTS['manifests/gems.yaml'].replace('red gem', 'green gem'));
    const next = await build(root);
    const fresh = new SpriteSession({ root, provider: 'placeholder' });
    expect(bytesOf(next)).toEqual(bytesOf(await fresh.refresh()));
    // The new gem was written by that very build (racy): the build after it keeps the new gems atlas,
    // in place of the old one: one output per atlas, and no PNG that none of them names.
    await sleep(100);
    await build(root);
    const records = await memoRecords(root);
    expect(records).toHaveLength(2);
    const named = new Set<string>();
    for (const f of records) {
      const file = await readFile(join(root, CACHE, '.atlases', f));
      const text = file.subarray(0, file.length - 32).toString('utf8');
      const body = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { pages: { png: string }[]; images: { image: { png: string } }[] };
      for (const i of [...body.pages, ...body.images.map((x) => x.image)]) named.add(`${i.png}.png`);
    }
    expect((await memoFiles(root)).filter((f) => f.endsWith('.png')).sort()).toEqual([...named].sort());
    const warm = await build(root);
    expect(bytesOf(warm)).toEqual(bytesOf(next));
  });

  it('never ships a damaged memo: any damage is a miss, and the full path ships the right bytes', async () => {
    const root = await tempDir();
    await writeProject(root, MANIFESTS);
    const truth = bytesOf(await build(root));
    const dir = join(root, CACHE, '.atlases');
    const damages: [string, (text: Buffer) => Buffer][] = [
      ['a page PNG with a flipped byte', (b) => { const c = Buffer.from(b); c[c.length - 20]! ^= 0xff; return c; }],
      ['a page PNG cut short', (b) => b.subarray(0, b.length >> 1)],
      ['a record whose body was edited', (b) => Buffer.from(b.toString('utf8').replace('"occupancy":', '"occupancy":0.5,"was":'))],
      ['a record with its header gone', (b) => Buffer.from(b.toString('utf8').slice(b.indexOf('\n') + 1))],
      ['an empty record', () => Buffer.alloc(0)],
    ];
    for (const [what, damage] of damages) {
      const wantPng = what.includes('PNG');
      const files = (await memoFiles(root)).filter((f) => f.endsWith(wantPng ? '.png' : '.json'));
      for (const f of files) {
        const before = await readFile(join(dir, f));
        const after = damage(before);
        expect(after.equals(before), `${what} changes ${f}`).toBe(false);
        await writeFile(join(dir, f), after);
      }
      expect(bytesOf(await build(root)), what).toEqual(truth);
      // Rebuilt and kept again: the next build is warm and right.
      await rm(dir, { recursive: true, force: true });
      await build(root);
    }
  });

  it('a frame that points off its page is refused even when the hashes are right', async () => {
    const root = await tempDir();
    await writeProject(root, MANIFESTS);
    const truth = bytesOf(await build(root));
    const dir = join(root, CACHE, '.atlases');
    for (const f of (await memoFiles(root)).filter((x) => x.endsWith('.json'))) {
      const text = await readFile(join(dir, f), 'utf8');
      const header = JSON.parse(text.slice(0, text.indexOf('\n')));
      const original = text.slice(text.indexOf('\n') + 1);
      const body = original.replace(/"frame":\{"x":\d+/g, '"frame":{"x":99999');
      expect(body).not.toBe(original);
      await writeFile(join(dir, f), `${JSON.stringify({ ...header, body: createHash('sha256').update(body).digest('hex') })}\n${body}`);
    }
    expect(bytesOf(await build(root))).toEqual(truth);
  });
});

// Every kind of frame a sprite can leave on a page: trimmed, several images, an animation, a pivot,
// a nine-slice panel (never trimmed, with borders) and a tiling sprite's standalone image.
const MIXED = {
  'manifests/hud.yaml':
    'atlas: hud\nsprites:\n' +
    '  coin:\n    prompt: gold coin\n    size: 16\n    num_images: 3\n    animation: true\n    frame_rate: 6\n' +
    '  hero:\n    prompt: small knight\n    size: 32\n    origin: [0.5, 1]\n' +
    '  panel:\n    prompt: stone panel\n    size: 24\n    nine_slice: { left: 3, right: 3, top: 3, bottom: 3 }\n' +
    '  floor:\n    prompt: floor tile\n    size: 16\n    tile_x: true\n' +
    '  gem:\n    prompt: red gem\n    size: 16\n',
};

describe('after an edit, the rest of the atlas is carried from its last kept pages', () => {
  /** The project generated and built once with the memo, and a copy of it for the reference. */
  async function twoCopies() {
    const root = await tempDir();
    await writeProject(root, MIXED);
    await generated(root);
    await build(root);
    const reference = await tempDir();
    await cp(root, reference, { recursive: true });
    await rm(join(reference, CACHE, '.atlases'), { recursive: true });
    const edit = async (dir: string) => writeFile(join(dir, 'manifests/hud.yaml'), MIXED['manifests/hud.yaml'].replace('red gem', 'blue gem'));
    await edit(root);
    await edit(reference);
    // The reference is the full path: every sprite decoded from its cache entry, nothing kept.
    const truth = bytesOf(await new SpriteSession({ root: reference, provider: 'placeholder' }).refresh());
    return { root, truth };
  }

  it('ships the bytes a build with nothing kept ships, reading only the edited sprite from the cache', async () => {
    const { root, truth } = await twoCopies();
    // Proof that the unchanged sprites are not read: their images are overwritten in place (their
    // entries' folders keep their signatures). Read, they would be corrupt and generated again.
    for (const f of await imageFiles(root)) await writeFile(f, 'not an image');
    const next = await build(root);
    expect(bytesOf(next)).toEqual(truth);
    expect(next.summary).toMatchObject({ sprites: 5, cached: 4, toGenerate: 1 });
  });

  it('a damaged or foreign last output is not carried: the atlas is built from the cache, right', async () => {
    const damages: [string, (f: string) => boolean, (b: Buffer) => Buffer][] = [
      ['a page PNG with a flipped byte', (f) => f.endsWith('.png'), (b) => { const c = Buffer.from(b); c[c.length - 20]! ^= 0xff; return c; }],
      ['a record whose body was edited', (f) => f.endsWith('.json') && !f.startsWith('last-'), (b) => Buffer.from(b.toString('utf8').replace('"occupancy":', '"occupancy":0.5,"was":'))],
      ['a pointer whose seal is gone', (f) => f.startsWith('last-'), (b) => b.subarray(0, b.length - 32)],
    ];
    for (const [what, which, damage] of damages) {
      const { root, truth } = await twoCopies();
      const dir = join(root, CACHE, '.atlases');
      for (const f of (await memoFiles(root)).filter(which)) await writeFile(join(dir, f), damage(await readFile(join(dir, f))));
      const next = await build(root);
      expect(bytesOf(next), what).toEqual(truth);
      expect(next.summary, what).toMatchObject({ sprites: 5, cached: 4, toGenerate: 1 });
    }
  });

  it('a sprite whose entry was replaced (a teammate regenerated it) is read again, not carried', async () => {
    const { root } = await twoCopies();
    const before = await build(root);
    await sleep(100);
    const hero = before.requests.find((r) => r.sprite === 'hero')!;
    await regenerateEntry(join(root, CACHE, hero.key.slice(0, 2), hero.key));
    const next = await build(root);
    expect(next.summary).toMatchObject({ sprites: 5, toGenerate: 0 });
    expect(bytesOf(next)).not.toEqual(bytesOf(before));
    // The same bytes as the full path.
    expect(bytesOf(next)).toEqual(bytesOf(await new SpriteSession({ root, provider: 'placeholder' }).refresh()));
  });
});
