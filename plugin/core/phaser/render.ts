import { RetroSpritesError } from '../errors.js';
import { byName } from '../order.js';
import type { PngEffort } from '../image/png-encode.js';
import { encodedPage, encodePage } from './encoded-pages.js';
import { animsJson } from './anims-json.js';
import { jsonHashAtlas, multiAtlas } from './atlas-json.js';
import type { BuiltAtlas } from './atlas.js';
import { packJson, type PackEntry } from './pack-json.js';
import { tilesetFiles, type TilesetKeys } from './tileset-files.js';

export type { TilesetKeys };

export interface OutputFile {
  /** Final name, relative to the output folder (and to the pack's `path`). */
  fileName: string;
  bytes: Uint8Array;
  kind: 'atlas' | 'multiatlas' | 'atlas-image' | 'anims' | 'image' | 'tileset-image' | 'tileset' | 'pack';
  /** A JSON file's content as the object it encodes, so nothing downstream parses our own bytes back. */
  json?: unknown;
}

/** Every key the game can use, for typed keys and `preload(scene)`. */
export interface AssetKeys {
  atlases: string[];
  frames: Record<string, string[]>;
  animations: string[];
  images: string[];
  /** By atlas, then sprite: the frames, animations and image texture keys that sprite produced. */
  sprites: Record<string, Record<string, { frames: string[]; animations: string[]; actions: Record<string, Record<string, string>>; images: string[]; tilesets?: string[] }>>;
  /** Tileset sprites (`tilesets.<name>` in the virtual module). */
  tilesets?: TilesetKeys[];
}

export interface RenderOptions {
  /**
   * Final name of a file from its logical name (`heroes.png`, `heroes.json`, `pack.json`) and its
   * bytes, e.g. to add a content hash. Default: the logical name.
   */
  fileName?: (logicalName: string, bytes: Uint8Array) => string;
  /** Written as the pack section's `path`: where the loader finds the files the pack names. */
  packPath?: string;
  /** PNG compression effort (default `small`; the dev server uses `fast`). */
  effort?: PngEffort;
}

const encoder = new TextEncoder();
/**
 * Without indentation, as Vite writes the rest of a build: an atlas of 2000 sprites is 430 KB
 * instead of 880 (26 % less over gzip, 7 % over brotli), which every player downloads and parses.
 */
const jsonBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value) + '\n');

interface RenderedJson {
  json: unknown;
  bytes: Uint8Array;
}

/**
 * Each atlas's JSON as last rendered, by the atlas and its pages' file names: an atlas kept from
 * an earlier build or update is the same object, and its JSON (hundreds of KB at 800 sprites) need
 * not be made again; `renderAhead` makes it while the changed atlases' pages compress.
 */
const atlasJsons = new WeakMap<BuiltAtlas, RenderedJson & { pages: string }>();
const animJsons = new WeakMap<BuiltAtlas, RenderedJson>();

const pageFile = (a: BuiltAtlas, i: number): string => (a.pages.length > 1 ? `${a.atlas}-${i}.png` : `${a.atlas}.png`);

function atlasJson(a: BuiltAtlas, pageNames: string[]): RenderedJson {
  const pages = pageNames.join('\0');
  const known = atlasJsons.get(a);
  if (known?.pages === pages) return known;
  const json = a.pages.length > 1 ? multiAtlas(a, pageNames) : jsonHashAtlas(a, pageNames[0]!);
  const made = { pages, json, bytes: jsonBytes(json) };
  atlasJsons.set(a, made);
  return made;
}

function animationsJson(a: BuiltAtlas): RenderedJson {
  let made = animJsons.get(a);
  if (!made) {
    const json = animsJson(a);
    animJsons.set(a, (made = { json, bytes: jsonBytes(json) }));
  }
  return made;
}

/**
 * Makes ahead the JSON of the atlases whose pages are encoded already (those kept from before), so
 * that `renderFiles`, called once the rebuilt ones are encoded too, finds it made: the main thread
 * renders while the thread pool compresses. Same names and bytes as `renderFiles` makes.
 */
export function renderAhead(atlases: readonly BuiltAtlas[], opts: RenderOptions = {}): void {
  const name = opts.fileName ?? ((logical: string) => logical);
  const effort = opts.effort ?? 'small';
  for (const a of atlases) {
    if (a.animations.length > 0) animationsJson(a);
    const pages = a.pages.map((page) => encodedPage(page, effort));
    if (a.frames.length === 0 || !pages.every((p) => p !== undefined)) continue;
    atlasJson(a, pages.map((bytes, i) => name(pageFile(a, i), bytes)));
  }
}

/** What one moment's atlases became: the files, the keys a game can name, and the pack's entries. */
export interface RenderedFiles {
  files: OutputFile[];
  keys: AssetKeys;
  /** The pack's entries, as written into pack.json (final file names). */
  pack: PackEntry[];
}

/**
 * Encodes built atlases into the files Phaser loads. Binary files are named first, so a bundler can
 * hash their content, then the JSON that refers to those final names, then the pack last.
 *
 * Tiling images are Phaser `image` textures keyed by their sprite name; texture keys share one
 * namespace with atlases, so a name used by an atlas or by a tiling image of another atlas becomes
 * `<atlas>_<sprite>` instead.
 */
export function renderFiles(atlases: BuiltAtlas[], opts: RenderOptions = {}): RenderedFiles {
  const name = opts.fileName ?? ((logical: string) => logical);
  const effort = opts.effort ?? 'small';
  const sorted = [...atlases].sort((a, b) => byName(a.atlas, b.atlas));
  const atlasKeys = new Set(sorted.map((a) => a.atlas));
  if (atlasKeys.size !== sorted.length) {
    throw new RetroSpritesError('name-clash', 'two atlas groups share one atlas key; give each manifest its own `atlas:`');
  }
  const textureAtlases = new Set(sorted.filter((a) => a.frames.length > 0).map((a) => a.atlas));
  const tileUses = new Map<string, number>();
  for (const a of sorted) for (const img of [...a.images, ...a.tilesets]) tileUses.set(img.name, (tileUses.get(img.name) ?? 0) + 1);
  const imageKey = (atlas: string, sprite: string): string =>
    textureAtlases.has(sprite) || (tileUses.get(sprite) ?? 0) > 1 ? `${atlas}_${sprite}` : sprite;

  const animOwner = new Map<string, string>();
  for (const a of sorted) {
    for (const anim of a.animations) {
      const other = animOwner.get(anim.key);
      if (other !== undefined) {
        throw new RetroSpritesError(
          'name-clash',
          `atlases "${other}" and "${a.atlas}" both define the animation "${anim.key}"; Phaser keeps animations in one namespace, rename a sprite`,
        );
      }
      animOwner.set(anim.key, a.atlas);
    }
  }

  const binaries: OutputFile[] = [];
  const jsons: OutputFile[] = [];
  const entries: PackEntry[] = [];
  const imageEntries: PackEntry[] = [];
  const animEntries: PackEntry[] = [];
  const keys: AssetKeys = { atlases: [], frames: {}, animations: [], images: [], sprites: {}, tilesets: [] };
  const usedNames = new Set<string>();
  const add = (list: OutputFile[], logical: string, bytes: Uint8Array, kind: OutputFile['kind'], json?: unknown): string => {
    const fileName = name(logical, bytes);
    if (usedNames.has(fileName)) {
      throw new RetroSpritesError('name-clash', `two output files would both be named "${fileName}"; rename an atlas or a tiling sprite`);
    }
    usedNames.add(fileName);
    list.push(json === undefined ? { fileName, bytes, kind } : { fileName, bytes, kind, json });
    return fileName;
  };

  for (const a of sorted) {
    keys.sprites[a.atlas] = Object.fromEntries(
      Object.entries(a.sprites).map(([sprite, out]) => [sprite, {
        ...out,
        images: out.images.map((n) => imageKey(a.atlas, n)),
        ...(out.tilesets ? { tilesets: out.tilesets.map((n) => imageKey(a.atlas, n)) } : {}),
      }]),
    );
    for (const t of a.tilesets) {
      const made = tilesetFiles(a.atlas, t, imageKey(a.atlas, t.name), effort,
        (logical, bytes, kind, json) => add(kind === 'tileset' ? jsons : binaries, logical, bytes, kind, json));
      imageEntries.push(made.entry);
      keys.tilesets!.push(made.keys);
    }
    for (const img of a.images) {
      const key = imageKey(a.atlas, img.name);
      const url = add(binaries, `${key}.png`, encodePage(img.image, effort), 'image');
      imageEntries.push({ type: 'image', key, url });
      keys.images.push(key);
    }
    if (a.frames.length === 0) {
      // Only tiling images and tilesets: no texture atlas to write.
      continue;
    }
    const paged = a.pages.length > 1;
    const pageNames = a.pages.map((page, i) => add(binaries, pageFile(a, i), encodePage(page, effort), 'atlas-image'));
    const { json, bytes } = atlasJson(a, pageNames);
    const atlasFile = add(jsons, `${a.atlas}.json`, bytes, paged ? 'multiatlas' : 'atlas', json);
    entries.push(
      paged
        ? { type: 'multiatlas', key: a.atlas, url: atlasFile }
        : { type: 'atlas', key: a.atlas, textureURL: pageNames[0]!, atlasURL: atlasFile },
    );
    keys.atlases.push(a.atlas);
    keys.frames[a.atlas] = a.frames.map((f) => f.name);
    if (a.animations.length > 0) {
      const { json: anims, bytes } = animationsJson(a);
      const animFile = add(jsons, `${a.atlas}.anims.json`, bytes, 'anims', anims);
      animEntries.push({ type: 'animation', key: `${a.atlas}.anims`, url: animFile });
      keys.animations.push(...a.animations.map((x) => x.key));
    }
  }
  keys.animations.sort(byName);
  keys.images.sort(byName);

  // Textures first and animations last: Phaser builds animations once their frames exist.
  const packEntries = [...entries, ...imageEntries, ...animEntries];
  const pack = packJson(packEntries, opts.packPath);
  const files = [...binaries, ...jsons];
  add(files, 'pack.json', jsonBytes(pack), 'pack', pack);
  return { files, keys, pack: packEntries };
}
