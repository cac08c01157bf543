import { describe, expect, it } from 'vitest';
import type { SpriteRef } from '../../plugin/client/index.js';
import type { AssetKeys } from '../../plugin/core/phaser/render.js';
import type { KeyedRequest } from '../../plugin/core/request.js';
import { frameTable, identityTable, spriteTable } from '../../plugin/client/key-tables.js';
import { PACK_KEY, virtualKeys, virtualModuleCode, virtualTables } from '../../plugin/vite/virtual-module.js';

const request = (atlas: string, sprite: string): KeyedRequest =>
  ({ atlas, sprite, key: 'k'.repeat(64), payload: { prompt: sprite, width: 16, height: 16, num_images: 1 }, options: { animate: false, repeat: -1 } }) as unknown as KeyedRequest;

const keys: AssetKeys = {
  atlases: ['items', 'heroes'],
  frames: { heroes: ['hero', 'hero_walk/down/0'], items: ['coin_10', 'coin_2', 'coin_1'] },
  animations: ['hero_walk_down'],
  images: ['grass'],
  sprites: {
    heroes: { hero: { frames: ['hero'], animations: [], actions: {}, images: [] }, hero_walk: { frames: ['hero_walk/down/0'], animations: ['hero_walk_down'], actions: { walk: { down: 'hero_walk_down' } }, images: [] } },
    items: { coin: { frames: ['coin_10', 'coin_2', 'coin_1'], animations: [], actions: {}, images: [] }, hero: { frames: [], animations: [], actions: {}, images: [] } },
    terrain: { grass: { frames: [], animations: [], actions: {}, images: ['grass'] } },
  },
};

/** The value of one `export const` line, evaluated as the browser would. */
const exported = (code: string, name: string): unknown => {
  const line = code.split('\n').find((l) => l.startsWith(`export const ${name} =`))!;
  const expr = line.slice(`export const ${name} =`.length).replace(/;$/, '');
  return new Function('identityTable', 'frameTable', 'spriteTable', `return ${expr}`)(identityTable, frameTable, spriteTable);
};

describe('the keys of virtual:retro-sprites', () => {
  const k = virtualKeys([request('heroes', 'hero'), request('heroes', 'hero_walk'), request('items', 'coin'), request('items', 'hero'), request('terrain', 'grass')], keys);

  it('names each sprite by its manifest name, and the second of two same names by its atlas', () => {
    expect(Object.keys(k.sprites).sort()).toEqual(['coin', 'grass', 'hero', 'hero_walk', 'items_hero']);
  });

  it('orders sprites and decides which of two same names is the second by code point, on every machine and locale', () => {
    const named = (atlas: string, names: string[]) => Object.fromEntries(names.map((n) => [n, { frames: [n], animations: [], actions: {}, images: [] }]));
    const names = ['b', 'B', '_a', 'a'];
    const mixed: AssetKeys = { atlases: ['Zoo', 'apes'], frames: { Zoo: names, apes: ['b'] }, animations: [], images: [], sprites: { Zoo: named('Zoo', names), apes: named('apes', ['b']) } };
    const v = virtualKeys([...names.map((n) => request('Zoo', n)), request('apes', 'b')], mixed);
    // localeCompare would put "apes" first (and "_a", "a" before "B"); code points put "Zoo" first.
    expect(Object.keys(v.sprites)).toEqual(['B', '_a', 'a', 'b', 'apes_b']);
  });

  it('keys the frame table of each atlas in code-unit order, whether its frames came sorted or not', () => {
    expect(Object.keys(k.frames.items!)).toEqual(['coin_1', 'coin_10', 'coin_2']);
    expect(Object.keys(k.frames.heroes!)).toEqual(['hero', 'hero_walk/down/0']);
    expect(k.frames.items).toEqual({ coin_1: 'coin_1', coin_10: 'coin_10', coin_2: 'coin_2' });
  });

  it('lists frames in natural order and animations by action and direction', () => {
    expect(k.sprites.coin).toEqual({ atlas: 'items', frame: 'coin_1', frames: ['coin_1', 'coin_2', 'coin_10'] });
    expect(k.sprites.hero_walk).toEqual({ atlas: 'heroes', frame: 'hero_walk/down/0', animations: { walk: { down: 'hero_walk_down' } } });
    expect(k.sprites.grass).toEqual({ image: 'grass' });
  });

  it('writes a module that exports the tables and the pack key, and wires HMR only in dev', () => {
    const code = virtualModuleCode({ tables: virtualTables(k), packUrlExpr: '"/pack.json"', runtimeImport: 'vite-plugin-retro-sprites/client', dev: false });
    expect(code).toContain(`export const packKey = ${JSON.stringify(PACK_KEY)};`);
    expect(exported(code, 'atlases')).toEqual({ heroes: 'heroes', items: 'items' });
    expect(exported(code, 'sprites')).toEqual(k.sprites);
    expect(Object.isFrozen(exported(code, 'sprites'))).toBe(true);
    expect(code).not.toContain('import.meta.hot');
    expect(virtualModuleCode({ tables: virtualTables(k), packUrlExpr: '"/p"', runtimeImport: 'x', dev: true })).toContain('import.meta.hot.on("retro-sprites:update"');
  });

  it('keeps every key exactly, whatever characters a manifest name holds (quotes, backslashes, line separators)', () => {
    const odd = { atlases: {}, frames: { a: { "it's": "it's", 'b\\c': 'b\\c', 'x\u2028y': 'x\u2028y', 'q"': 'q"', 'n\n': 'n\n' } }, animations: {}, images: {}, sprites: {}, tilesets: {} };
    const code = virtualModuleCode({ tables: virtualTables(odd), packUrlExpr: '"/p"', runtimeImport: 'x', dev: false });
    expect(exported(code, 'frames')).toEqual(odd.frames);
  });
});

describe('the packed sprites table', () => {
  it('unpacks to the same table, in the same order, with odd names and refs of every shape', () => {
    const sprites: Record<string, SpriteRef> = {
      '7': { atlas: 'b', frame: '7' },
      a: { atlas: 'a', frame: 'a' },
      coin: { atlas: 'a', frame: 'coin_1', frames: ['coin_1', 'coin_2'] },
      grass: { image: 'grass' },
      b_a: { atlas: 'b', frame: 'a' },
      __proto__x: { atlas: 'b', frame: '__proto__x' },
      "it's": { atlas: 'a', frame: "it's" },
      none: {},
    };
    const code = virtualModuleCode({ tables: virtualTables({ atlases: {}, frames: {}, animations: {}, images: {}, sprites }), packUrlExpr: '"/p"', runtimeImport: 'x', dev: false });
    const out = exported(code, 'sprites') as Record<string, SpriteRef>;
    expect(out).toEqual(sprites);
    expect(Object.keys(out)).toEqual(Object.keys(sprites));
  });

  it('keeps a key named __proto__ a key', () => {
    expect(Object.keys(spriteTable([['_', ['__proto__']]]))).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(spriteTable([['_', ['__proto__']]]))).toBe(Object.prototype);
  });
});
