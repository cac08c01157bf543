import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { decodePng } from '../../../plugin/core/image/png.js';
import { writeOutputDir } from '../../../plugin/core/output.js';
import type { SpriteSource } from '../../../plugin/core/phaser/atlas.js';
import { buildAtlas } from '../../../plugin/core/phaser/build.js';
import { encodePage } from '../../../plugin/core/phaser/encoded-pages.js';
import { renderAhead, renderFiles } from '../../../plugin/core/phaser/render.js';
import { gifImage, pixelArt, pngImage, request } from '../image/sprite-fixtures.js';
import { verifyOutput } from './atlas-verifier.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'retro-atlas-'));
  dirs.push(d);
  return d;
}

/** A small game's worth of sprites, and every frame as the game should see it. */
function characters(atlas = 'characters'): { sprites: SpriteSource[]; sources: Map<string, RgbaImage> } {
  const sources = new Map<string, RgbaImage>();
  const hero = pixelArt(64, 64, 1, { l: 10, t: 3, r: 17, b: 0 });
  sources.set('hero', hero);
  const coinA = pixelArt(32, 32, 2, { l: 8, t: 8, r: 8, b: 8 });
  const coinB = pixelArt(32, 32, 3, { l: 6, t: 8, r: 8, b: 4 });
  const coins = [coinA, coinB, coinA, coinB];
  coins.forEach((c, i) => sources.set(`coin_${i}`, c));
  const walk = Array.from({ length: 16 }, (_, i) => pixelArt(48, 48, 10 + i, { l: 12, t: 4, r: 12, b: 1 }));
  ['down', 'left', 'right', 'up'].forEach((d, di) => [0, 1, 2, 3].forEach((i) => sources.set(`hero_walk/${d}/${i}`, walk[di * 4 + i]!)));
  const ghost: RgbaImage = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 4) };
  sources.set('ghost', ghost);
  const sprites: SpriteSource[] = [
    { request: request('hero', {}, { origin: { x: 0.5, y: 1 } }, atlas), images: [pngImage(hero)] },
    { request: request('coin', { num_images: 4 }, { animate: true }, atlas), images: coins.map(pngImage) },
    { request: request('hero_walk', { prompt_style: 'animation_four_angle_walking' }, {}, atlas), images: [gifImage(walk.map((image) => ({ image, delayCs: 10 })))] },
    { request: request('ghost', {}, {}, atlas), images: [pngImage(ghost)] },
    { request: request('grass', { tile_x: true, tile_y: true }, {}, atlas), images: [pngImage(pixelArt(32, 32, 7))] },
  ];
  return { sprites, sources };
}

async function writeAll(sprites: SpriteSource[], opts: Parameters<typeof buildAtlas>[2] = {}, render: Parameters<typeof renderFiles>[1] = {}) {
  const built = buildAtlas('characters', sprites, opts);
  const { files, keys } = renderFiles([built], render);
  const dir = tempDir();
  await writeOutputDir(dir, files);
  return { built, files, keys, dir };
}

describe('an atlas group is written as files Phaser loads, and they hold exactly the source frames', () => {
  it('every frame lies in its page, is pixel-exact after trimming, padded apart and extruded', async () => {
    const { sprites, sources } = characters();
    const { dir, files, keys } = await writeAll(sprites);
    expect(files.map((f) => f.fileName)).toEqual(['grass.png', 'characters.png', 'characters.json', 'characters.anims.json', 'pack.json']);
    const { problems, framesSeen } = verifyOutput(dir, sources, { padding: 2, extrude: 1 });
    expect(problems).toEqual([]);
    expect(framesSeen).toBe(sources.size);
    expect(keys).toEqual({
      atlases: ['characters'],
      frames: { characters: [...sources.keys()].sort() },
      animations: ['coin', 'hero_walk_down', 'hero_walk_left', 'hero_walk_right', 'hero_walk_up'],
      images: ['grass'],
      sprites: { characters: expect.any(Object) },
      tilesets: [],
    });
    // Each sprite knows what it became, so scenes can name it by its manifest name.
    expect(keys.sprites.characters!.hero_walk!.animations).toEqual(['hero_walk_down', 'hero_walk_left', 'hero_walk_right', 'hero_walk_up']);
    expect(keys.sprites.characters!.grass).toEqual({ frames: [], animations: [], actions: {}, images: ['grass'] });
    expect(keys.sprites.characters!.coin!.frames).toHaveLength(4);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('identical frames share one rectangle, and trimmed frames keep their place in the untrimmed sprite', async () => {
    const { sprites } = characters();
    const { dir } = await writeAll(sprites);
    const atlas = JSON.parse(readFileSync(join(dir, 'characters.json'), 'utf8'));
    expect(atlas.frames.coin_2.frame).toEqual(atlas.frames.coin_0.frame);
    expect(atlas.frames.coin_1.frame).not.toEqual(atlas.frames.coin_0.frame);
    expect(atlas.frames.hero).toMatchObject({
      rotated: false,
      trimmed: true,
      spriteSourceSize: { x: 10, y: 3, w: 37, h: 61 },
      sourceSize: { w: 64, h: 64 },
      pivot: { x: 0.5, y: 1 },
    });
    expect(atlas.meta).toMatchObject({ app: 'vite-plugin-retro-sprites', image: 'characters.png', format: 'RGBA8888', scale: '1' });
  });

  it('writes the animations and a pack that lists every file with its key', async () => {
    const { sprites } = characters();
    const { dir } = await writeAll(sprites);
    const anims = JSON.parse(readFileSync(join(dir, 'characters.anims.json'), 'utf8'));
    expect(anims.anims[0]).toEqual({
      key: 'coin', type: 'frame', frameRate: 8, repeat: -1,
      frames: [0, 1, 2, 3].map((i) => ({ key: 'characters', frame: `coin_${i}` })),
    });
    expect(anims.anims[1]).toMatchObject({ key: 'hero_walk_down', frameRate: 10, repeat: -1 });
    const pack = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'));
    expect(pack).toEqual({
      'retro-sprites': {
        files: [
          { type: 'atlas', key: 'characters', textureURL: 'characters.png', atlasURL: 'characters.json' },
          { type: 'image', key: 'grass', url: 'grass.png' },
          { type: 'animation', key: 'characters.anims', url: 'characters.anims.json' },
        ],
      },
    });
  });

  it('is byte-identical whatever order the sprites were found in', async () => {
    const a = await writeAll(characters().sprites);
    const b = await writeAll([...characters().sprites].reverse());
    expect(b.files.map((f) => f.fileName)).toEqual(a.files.map((f) => f.fileName));
    b.files.forEach((f, i) => expect(Buffer.from(f.bytes).equals(Buffer.from(a.files[i]!.bytes)), f.fileName).toBe(true));
  });

  it('overflows into a multiatlas when one page is too small, each page still correct', async () => {
    const { sprites, sources } = characters();
    const { dir, files } = await writeAll(sprites, { maxSize: 128 });
    expect(files.filter((f) => f.kind === 'atlas-image').length).toBeGreaterThan(1);
    const json = JSON.parse(readFileSync(join(dir, 'characters.json'), 'utf8'));
    expect(json.textures.map((t: { image: string }) => t.image)).toEqual(files.filter((f) => f.kind === 'atlas-image').map((f) => f.fileName));
    const pack = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'));
    expect(pack['retro-sprites'].files[0]).toEqual({ type: 'multiatlas', key: 'characters', url: 'characters.json' });
    const { problems, framesSeen } = verifyOutput(dir, sources, { padding: 2, extrude: 1 });
    expect(problems).toEqual([]);
    expect(framesSeen).toBe(sources.size);
    for (const page of files.filter((f) => f.kind === 'atlas-image')) {
      const img = decodePng(page.bytes);
      expect(Math.max(img.width, img.height)).toBeLessThanOrEqual(128);
    }
  });

  it('with content-hashed names, every JSON refers to the final names', async () => {
    const { sprites, sources } = characters();
    const hashed = (logical: string, bytes: Uint8Array) =>
      logical.replace(/(\.[a-z]+)$/, `-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}$1`);
    const { dir, files } = await writeAll(sprites, {}, { fileName: (n, b) => (n === 'pack.json' ? n : hashed(n, b)) });
    expect(files.map((f) => f.fileName).every((n) => n === 'pack.json' || /-[0-9a-f]{8}\./.test(n))).toBe(true);
    expect(verifyOutput(dir, sources, { padding: 2, extrude: 1 }).problems).toEqual([]);
  });

  it('rendered ahead (while other pages compress), the files are the very ones rendered at once, under any naming', () => {
    const { sprites } = characters();
    const hashed = (salt: string) => (logical: string, bytes: Uint8Array) =>
      logical === 'pack.json' ? logical : logical.replace(/(\.[a-z]+)$/, `-${createHash('sha256').update(salt).update(bytes).digest('hex').slice(0, 8)}$1`);
    const atOnce = renderFiles([buildAtlas('characters', sprites)], { fileName: hashed('a') }).files;
    const kept = buildAtlas('characters', sprites);
    for (const page of kept.pages) encodePage(page, 'small');
    renderAhead([kept], { fileName: hashed('a') });
    const ahead = renderFiles([kept], { fileName: hashed('a') }).files;
    expect(ahead.map((f) => [f.fileName, Buffer.from(f.bytes).toString('base64')])).toEqual(atOnce.map((f) => [f.fileName, Buffer.from(f.bytes).toString('base64')]));
    // Another naming: the JSON made ahead under the first names is not reused, it names the new page.
    const renamed = renderFiles([kept], { fileName: hashed('b') }).files;
    const page = renamed.find((f) => f.kind === 'atlas-image')!;
    const json = JSON.parse(Buffer.from(renamed.find((f) => f.kind === 'atlas')!.bytes).toString('utf8')) as { meta: { image: string } };
    expect(json.meta.image).toBe(page.fileName);
    expect(page.fileName).not.toBe(ahead.find((f) => f.kind === 'atlas-image')!.fileName);
  });

  it('wider padding and extrusion are respected too; power-of-two pages when asked', async () => {
    const { sprites, sources } = characters();
    const { dir, built } = await writeAll(sprites, { padding: 4, extrude: 2, pot: true });
    expect(verifyOutput(dir, sources, { padding: 4, extrude: 2 }).problems).toEqual([]);
    for (const p of built.pages) expect(Number.isInteger(Math.log2(p.width)) && Number.isInteger(Math.log2(p.height))).toBe(true);
  });

  it('two sprites making the same frame name is an error naming both', () => {
    const { sprites } = characters();
    const clash = { request: request('coin_1'), images: [pngImage(pixelArt(8, 8, 1))] };
    expect(() => buildAtlas('characters', [...sprites, clash])).toThrow(/sprites "coin" and "coin_1" both make a frame named "coin_1"/);
  });

  it('a tiling image named like an atlas gets the atlas prefix, so texture keys stay unique', () => {
    const terrain = buildAtlas('terrain', [{ request: request('characters', { tile_x: true }, {}, 'terrain'), images: [pngImage(pixelArt(16, 16, 1))] }]);
    const chars = buildAtlas('characters', characters().sprites);
    const { keys, files } = renderFiles([terrain, chars]);
    expect(keys.images).toEqual(['grass', 'terrain_characters']);
    expect(keys.atlases).toEqual(['characters']);
    expect(files.map((f) => f.fileName)).toContain('terrain_characters.png');
  });
});

describe("Phaser's own parsers accept the output", () => {
  // Phaser's source modules are CommonJS and run in Node with a few browser globals stubbed.
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.HTMLCanvasElement ??= class {};
  g.HTMLVideoElement ??= class {};
  g.WebGLTexture ??= class {};
  const require = createRequire(import.meta.url);
  // The package's `exports` hides src/, so resolve the folder through its package.json.
  const phaserRoot = dirname(require.resolve('phaser/package.json'));
  const src = (m: string) => require(join(phaserRoot, 'src', m));
  const Texture = src('textures/Texture.js');
  const JSONHash = src('textures/parsers/JSONHash.js');
  const JSONArray = src('textures/parsers/JSONArray.js');
  const AnimationManager = src('animations/AnimationManager.js');
  const LoaderPlugin = src('loader/LoaderPlugin.js');
  const PhaserMap = src('structs/Map.js');

  function texture(key: string, pages: RgbaImage[]) {
    const manager = { game: { renderer: null, config: {} }, emit() {} };
    return new Texture(manager, key, pages.map((p) => ({ width: p.width, height: p.height })), pages[0]!.width, pages[0]!.height);
  }

  function animations(textures: Record<string, { get(frame: string): unknown; has(frame: string): boolean }>) {
    const am = Object.create(AnimationManager.prototype);
    am.anims = new PhaserMap();
    am.globalTimeScale = 1;
    am.emit = () => {};
    am.on = () => {};
    am.textureManager = {
      exists: (k: string) => k in textures,
      get: (k: string) => textures[k],
      getFrame: (k: string, f: string) => (textures[k]?.has(f) ? textures[k].get(f) : null),
    };
    return am;
  }

  it('JSON Hash: every frame, its trim and pivot, as Phaser sees them', async () => {
    const { sprites, sources } = characters();
    const { dir, built } = await writeAll(sprites);
    const json = JSON.parse(readFileSync(join(dir, 'characters.json'), 'utf8'));
    const tex = texture('characters', built.pages);
    JSONHash(tex, 0, json);
    expect(tex.getFrameNames().sort()).toEqual([...sources.keys()].sort());
    const hero = tex.get('hero');
    expect([hero.realWidth, hero.realHeight, hero.width, hero.height]).toEqual([64, 64, 37, 61]);
    expect([hero.pivotX, hero.pivotY, hero.customPivot]).toEqual([0.5, 1, true]);

    const am = animations({ characters: tex });
    const created = am.fromJSON(readFileSync(join(dir, 'characters.anims.json'), 'utf8'));
    expect(created.map((a: { key: string }) => a.key)).toEqual(['coin', 'hero_walk_down', 'hero_walk_left', 'hero_walk_right', 'hero_walk_up']);
    for (const a of created) {
      expect(a.frames.length).toBeGreaterThan(0);
      expect(a.frames.every((f: { frame: unknown; textureFrame: string }) => f.frame === tex.get(f.textureFrame))).toBe(true);
    }
    expect(created[1].repeat).toBe(-1);
    expect(created[1].frameRate).toBe(10);
  });

  it('multiatlas: JSONArray reads each page, and the frames land on the right source', async () => {
    const { sprites, sources } = characters();
    const { dir, built } = await writeAll(sprites, { maxSize: 128 });
    const json = JSON.parse(readFileSync(join(dir, 'characters.json'), 'utf8'));
    const tex = texture('characters', built.pages);
    json.textures.forEach((_: unknown, i: number) => JSONArray(tex, i, json));
    expect(tex.getFrameNames().sort()).toEqual([...sources.keys()].sort());
    for (const f of built.frames) expect(tex.get(f.name).sourceIndex).toBe(f.page);
  });

  it('the asset pack: LoaderPlugin.addPack hands each entry to the right file type with the fields it reads', async () => {
    const { sprites } = characters();
    const atlas = buildAtlas('characters', sprites);
    const paged = buildAtlas('paged', sprites.map((s) => ({ ...s, request: { ...s.request, atlas: 'paged', sprite: `p_${s.request.sprite}` } })), { maxSize: 128 });
    const { files } = renderFiles([atlas, paged], { packPath: 'assets/sprites/' });
    const pack = JSON.parse(new TextDecoder().decode(files.find((f) => f.kind === 'pack')!.bytes));
    const calls: [string, Record<string, string>, string][] = [];
    const loader = {
      baseURL: '', path: '', prefix: '',
      setBaseURL(v: string) { this.baseURL = v; }, setPath(v: string) { this.path = v; }, setPrefix(v: string) { this.prefix = v; },
      atlas(f: Record<string, string>) { calls.push(['atlas', f, this.path]); },
      multiatlas(f: Record<string, string>) { calls.push(['multiatlas', f, this.path]); },
      image(f: Record<string, string>) { calls.push(['image', f, this.path]); },
      animation(f: Record<string, string>) { calls.push(['animation', f, this.path]); },
    };
    expect(LoaderPlugin.prototype.addPack.call(loader, pack, 'retro-sprites')).toBe(true);
    expect(calls.map(([t, f, path]) => `${t} ${f.key} @${path}`)).toEqual([
      'atlas characters @assets/sprites/',
      'multiatlas paged @assets/sprites/',
      'image grass @assets/sprites/',
      'image p_grass @assets/sprites/',
      'animation characters.anims @assets/sprites/',
      'animation paged.anims @assets/sprites/',
    ]);
    const names = new Set(files.map((f) => f.fileName));
    for (const [, f] of calls) for (const k of ['textureURL', 'atlasURL', 'url']) if (f[k]) expect(names.has(f[k]), f[k]).toBe(true);
  });
});
