import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { contentHash } from '../content-hash.js';
import { atomicWrite } from '../fs/atomic-write.js';
import { readSealedJson, writeSealedJson } from '../fs/sealed-json.js';
import { EntrySignatures, sameSignature, type Signature } from '../fs/stat-signature.js';
import { readRegular } from '../fs/untrusted-fs.js';
import type { RgbaImage } from '../image/bitmap.js';
import type { PngEffort } from '../image/png-encode.js';
import { decodePng, pngSize } from '../image/png.js';
import { crop } from '../image/trim.js';
import { byName } from '../order.js';
import { runPool } from '../pool.js';
import type { KeyedRequest, SpriteOptions } from '../request.js';
import type { AtlasFrame, AtlasOptions, BuiltAtlas, CarriedSprite } from './atlas.js';
import { encodedPage, rememberEncodedPage } from './encoded-pages.js';

/**
 * Each atlas's output kept by its inputs, so an unchanged build neither decodes nor repacks: the
 * inputs are the atlas's name, each sprite's name, content key, options and the stat signature of
 * its cache entry's record (a regenerated sprite keeps its key, not its record's signature), the atlas options, the PNG
 * effort and this format's version. The output is the built atlas without its pixels (frames,
 * animations, what each sprite became) and the encoded PNG of every page and tiling image, each
 * named by its sha256.
 *
 * After an edit, the atlas's last output still holds every sprite that did not change: each one
 * whose inputs are those it was built from is carried from the kept pages (its frames cut back out
 * of them) instead of being read, verified and decoded from its cache entry. It gives the frames
 * its answer would, so the atlas is the one a build with nothing kept makes. A pointer per atlas
 * (by name and options) names its last output.
 *
 * Derived and local (`.atlases/` in the cache folder, git-ignored), and read as untrusted: an entry
 * is used only when it carries this machine's seal (fs/seal.ts), its header names this format and these inputs, its body matches its own hash,
 * its shape is what is written here, and every PNG it names is there with that sha256 and that
 * size. Anything else is a miss and the atlas takes the full path (decode, pack, encode).
 */

/** Bumped whenever what buildAtlas or the renderer make from the same inputs changes. */
const MEMO_FORMAT = 7;
const HEX64 = /^[0-9a-f]{64}$/;

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** One sprite's part of a memo key: its name, content key, options and its entry's signature. */
type SpriteInput = [sprite: string, key: string, options: SpriteOptions, signature: Signature];

/** What an atlas's output is kept by. */
export interface AtlasInputs {
  key: string;
  sprites: SpriteInput[];
}

interface StoredImage { width: number; height: number; png: string }
interface StoredAtlas {
  atlas: Omit<BuiltAtlas, 'pages' | 'images' | 'tilesets'> & { tilesets: [] };
  pages: StoredImage[];
  images: { name: string; image: StoredImage }[];
  inputs: SpriteInput[];
}

/** A stored atlas with the PNG bytes it names, all verified. */
interface ReadAtlas {
  stored: StoredAtlas;
  png: (image: StoredImage) => Uint8Array;
}

/** Where the memo lives and how it reads the cache (the cache folder's layout is not the memo's to know). */
export interface AtlasMemoPlace {
  /** Its own folder (local, git-ignored). */
  dir: string;
  /** A cache entry's record file (its stat signature keys the memo: a regenerated sprite keeps its key, not its record's signature). */
  recordFile(key: string): string;
  /** Runs before the first write: the folder's .gitignore must keep the memo out of git first. */
  beforeWrite(): Promise<void>;
}

export class AtlasMemo {
  private readonly dir: string;

  constructor(
    private readonly place: AtlasMemoPlace,
    private readonly options: AtlasOptions,
    private readonly effort: PngEffort,
  ) {
    this.dir = place.dir;
  }

  /**
   * The memo key of one atlas's sprites and what went into it; undefined when a sprite has no cache
   * entry (it must be generated) or an entry changed as recently as `since` (racy: see
   * fs/stat-signature.ts). Pass the time the build started when keeping what it built: an entry
   * that changed while it ran must not key output made from what it held before. `book`: the
   * build's signatures (stat-signature.ts).
   */
  inputsOf(atlas: string, requests: readonly KeyedRequest[], since = Date.now(), book = new EntrySignatures()): AtlasInputs | undefined {
    const entries = new Map<string, Signature>();
    for (const key of new Set(requests.map((r) => r.key))) {
      const sig = book.of(key, this.place.recordFile(key));
      if (!book.trusted(key, sig, since)) return undefined;
      entries.set(key, sig);
    }
    const sprites = requests
      .map((r): SpriteInput => [r.sprite, r.key, r.options, entries.get(r.key)!])
      .sort((a, b) => byName(a[0], b[0]));
    return { key: sha256(JSON.stringify({ format: MEMO_FORMAT, atlas, options: this.options, effort: this.effort, sprites })), sprites };
  }

  keyOf(atlas: string, requests: readonly KeyedRequest[], since = Date.now(), book?: EntrySignatures): string | undefined {
    return this.inputsOf(atlas, requests, since, book)?.key;
  }

  /**
   * The atlas as it was built from these inputs, its pages standing in by size with their encoded
   * bytes handed to the renderer; undefined unless everything verifies.
   */
  async load(atlas: string, key: string): Promise<BuiltAtlas | undefined> {
    const read = await this.read(atlas, key);
    if (!read) return undefined;
    const { stored, png } = read;
    const standIn = (s: StoredImage): RgbaImage => {
      // No pixels: the renderer only asks a page its size and its encoding, handed in here.
      const image: RgbaImage = { width: s.width, height: s.height, data: new Uint8Array(0) };
      rememberEncodedPage(image, this.effort, png(s));
      return image;
    };
    return {
      ...stored.atlas,
      pages: stored.pages.map(standIn),
      images: stored.images.map((i) => ({ name: i.name, image: standIn(i.image) })),
      tilesets: [],
    };
  }

  /**
   * The sprites of `requests` that the atlas's last kept output was built from exactly as they are
   * now (name, content key, options and entry signature), as the frames that output holds for
   * them: the rest of the atlas need not be read or decoded again. Empty when there is no such
   * output or it does not verify.
   */
  async carry(atlas: string, requests: readonly KeyedRequest[], book = new EntrySignatures()): Promise<CarriedSprite[]> {
    const last = await this.lastKey(atlas);
    const read = last && (await this.read(atlas, last));
    if (!read) return [];
    const { stored, png } = read;
    const before = new Map(stored.inputs.map((input) => [input[0], input]));
    const same = requests.filter((r) => {
      const input = before.get(r.sprite);
      if (!input || input[1] !== r.key || JSON.stringify(input[2]) !== JSON.stringify(r.options)) return false;
      const sig = book.of(r.key, this.place.recordFile(r.key));
      return sig !== undefined && sameSignature(sig, input[3]);
    });
    if (same.length === 0) return [];
    let pages: RgbaImage[];
    let tiles: Map<string, RgbaImage>;
    try {
      pages = stored.pages.map((p) => decodePng(png(p)));
      tiles = new Map(stored.images.map((i) => [i.name, decodePng(png(i.image))]));
    } catch {
      return [];
    }
    const frames = new Map(stored.atlas.frames.map((f) => [f.name, f]));
    const animations = new Map(stored.atlas.animations.map((a) => [a.key, a]));
    const carried: CarriedSprite[] = [];
    for (const request of same) {
      const output = stored.atlas.sprites[request.sprite];
      const own = output?.frames.map((name) => frames.get(name));
      const anims = output?.animations.map((k) => animations.get(k));
      const images = output?.images.map((name) => ({ name, image: tiles.get(name) }));
      if (!output || !own?.every((f) => f && f.frame.w === f.spriteSourceSize.w && f.frame.h === f.spriteSourceSize.h)) return [];
      if (!anims?.every(Boolean) || !images?.every((i) => i.image)) return [];
      carried.push({
        request,
        output,
        frames: (own as AtlasFrame[]).map((f) => ({
          name: f.name,
          pixels: crop(pages[f.page]!, f.frame),
          box: f.spriteSourceSize,
          sourceSize: f.sourceSize,
          ...(f.pivot ? { pivot: f.pivot } : {}),
          ...(f.scale9Borders ? { scale9Borders: f.scale9Borders } : {}),
        })),
        animations: anims as BuiltAtlas['animations'],
        images: images as BuiltAtlas['images'],
      });
    }
    return carried;
  }

  /** The stored atlas and every PNG it names, when all verify. */
  private async read(atlas: string, key: string): Promise<ReadAtlas | undefined> {
    // Sealed: a memo committed by a pull request (its key is computable from public inputs) never ships its pages.
    const stored = await readSealedJson(join(this.dir, `${key}.json`), { format: MEMO_FORMAT, key }, 64 * 1024 * 1024);
    if (!validStored(stored, atlas)) return undefined;
    const images = [...stored.pages, ...stored.images.map((i) => i.image)];
    const bytes = new Map<string, Uint8Array>();
    let ok = true;
    await runPool([...new Set(images.map((i) => i.png))], 8, async (png) => {
      const read = await readRegular(join(this.dir, `${png}.png`), 256 * 1024 * 1024);
      const b = 'bytes' in read ? new Uint8Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength) : undefined;
      if (!b || contentHash(b) !== png) ok = false;
      else bytes.set(png, b);
    });
    if (!ok) return undefined;
    for (const image of images) {
      const size = pngSize(bytes.get(image.png)!);
      if (!size || size.width !== image.width || size.height !== image.height) return undefined;
    }
    return { stored, png: (image) => bytes.get(image.png)! };
  }

  /** Removes a replaced output and the PNGs only it named. A reader racing it misses, and builds in full. */
  private async remove(atlas: string, key: string, keep: ReadonlySet<string>): Promise<void> {
    const stored = await readSealedJson(join(this.dir, `${key}.json`), { format: MEMO_FORMAT, key }, 64 * 1024 * 1024);
    await rm(join(this.dir, `${key}.json`), { force: true });
    if (!validStored(stored, atlas)) return;
    for (const image of [...stored.pages, ...stored.images.map((i) => i.image)]) {
      if (!keep.has(image.png)) await rm(join(this.dir, `${image.png}.png`), { force: true });
    }
  }

  /** The key of the atlas's last kept output, if its pointer opens. */
  private async lastKey(atlas: string): Promise<string | undefined> {
    const last = await readSealedJson(this.lastPath(atlas), { format: MEMO_FORMAT, key: this.slotOf(atlas) }, 4096);
    return isRecord(last) && typeof last.key === 'string' && HEX64.test(last.key) ? last.key : undefined;
  }

  /** The atlas's place among kept outputs whatever its sprites: its name, the atlas options and the PNG effort. */
  private slotOf(atlas: string): string {
    return sha256(JSON.stringify({ format: MEMO_FORMAT, atlas, options: this.options, effort: this.effort }));
  }

  private lastPath(atlas: string): string {
    return join(this.dir, `last-${this.slotOf(atlas)}.json`);
  }

  /**
   * Keeps a freshly built atlas, after the renderer encoded it, as the atlas's last output, and
   * removes the one it replaces (so the folder holds one output per atlas, not one per edit: going
   * back to the older inputs carries all but the sprites that differ). Best effort: a lost write is
   * a later rebuild.
   */
  async save(inputs: AtlasInputs, built: BuiltAtlas): Promise<void> {
    // Tilesets carry bitmaps of their own that the memo does not store yet: such an atlas always
    // takes the full path.
    if (built.tilesets.length > 0) return;
    const toStored = (image: RgbaImage): StoredImage | undefined => {
      const png = encodedPage(image, this.effort);
      return png ? { width: image.width, height: image.height, png: contentHash(png) } : undefined;
    };
    const pages = built.pages.map(toStored);
    const images = built.images.map((i) => ({ name: i.name, image: toStored(i.image) }));
    if (pages.some((p) => !p) || images.some((i) => !i.image)) return;
    const { pages: _p, images: _i, ...atlas } = built;
    const body = JSON.stringify({ atlas, pages, images, inputs: inputs.sprites } satisfies Record<keyof StoredAtlas, unknown>);
    try {
      await this.place.beforeWrite();
      await mkdir(this.dir, { recursive: true });
      for (const image of [...built.pages, ...built.images.map((i) => i.image)]) {
        const png = encodedPage(image, this.effort)!;
        await atomicWrite(join(this.dir, `${contentHash(png)}.png`), png);
      }
      const before = await this.lastKey(built.atlas);
      await writeSealedJson(join(this.dir, `${inputs.key}.json`), { format: MEMO_FORMAT, key: inputs.key }, body);
      await writeSealedJson(this.lastPath(built.atlas), { format: MEMO_FORMAT, key: this.slotOf(built.atlas) }, JSON.stringify({ key: inputs.key }));
      if (before && before !== inputs.key) await this.remove(built.atlas, before, new Set([...pages, ...images.map((i) => i.image)].map((i) => i!.png)));
    } catch {
      // Derived data never fails a build.
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isSize = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65536;
const isCount = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0;
const isBox = (b: unknown): boolean => isRecord(b) && isCount(b.x) && isCount(b.y) && isCount(b.w) && isCount(b.h);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isSignature = (v: unknown): boolean => Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number');
const isInput = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && typeof v[1] === 'string' && HEX64.test(v[1]) && isRecord(v[2]) && isSignature(v[3]);
const isImage = (i: unknown): i is StoredImage => isRecord(i) && isSize(i.width) && isSize(i.height) && typeof i.png === 'string' && HEX64.test(i.png);

/** The shape save() writes, and frames that lie on their pages. */
function validStored(v: unknown, atlas: string): v is StoredAtlas {
  if (!isRecord(v) || !isRecord(v.atlas) || !Array.isArray(v.pages) || !Array.isArray(v.images) || !Array.isArray(v.inputs) || !v.inputs.every(isInput)) return false;
  if (!v.pages.every(isImage) || !v.images.every((i) => isRecord(i) && typeof i.name === 'string' && isImage(i.image))) return false;
  const a = v.atlas;
  if (!Array.isArray(a.tilesets) || a.tilesets.length !== 0) return false;
  if (a.atlas !== atlas || typeof a.occupancy !== 'number' || !Array.isArray(a.frames) || !Array.isArray(a.animations) || !isRecord(a.sprites)) return false;
  const pages = v.pages as StoredImage[];
  for (const f of a.frames) {
    if (!isRecord(f) || typeof f.name !== 'string' || !Number.isInteger(f.page) || !isBox(f.frame) || !isBox(f.spriteSourceSize) || typeof f.trimmed !== 'boolean') return false;
    if (!isRecord(f.sourceSize) || !isCount(f.sourceSize.w) || !isCount(f.sourceSize.h)) return false;
    if (f.pivot !== undefined && !(isRecord(f.pivot) && typeof f.pivot.x === 'number' && typeof f.pivot.y === 'number')) return false;
    const page = pages[f.page as number];
    const box = f.frame as { x: number; y: number; w: number; h: number };
    if (!page || box.x + box.w > page.width || box.y + box.h > page.height) return false;
  }
  for (const anim of a.animations) {
    if (!isRecord(anim) || typeof anim.key !== 'string' || typeof anim.frameRate !== 'number' || typeof anim.repeat !== 'number' || !Array.isArray(anim.frames)) return false;
    if (!anim.frames.every((fr) => isRecord(fr) && typeof fr.frame === 'string' && (fr.durationMs === undefined || typeof fr.durationMs === 'number'))) return false;
  }
  for (const out of Object.values(a.sprites)) {
    if (!isRecord(out) || !isStrings(out.frames) || !isStrings(out.animations) || !isStrings(out.images)) return false;
  }
  return true;
}
