import { describe, expect, it } from 'vitest';
import type { AssetKeys } from '../../plugin/core/phaser/render.js';
import type { KeyedRequest } from '../../plugin/core/request.js';
import { PACK_KEY, virtualKeys, virtualModuleCode } from '../../plugin/vite/virtual-module.js';

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

describe('the keys of virtual:retro-sprites', () => {
  const k = virtualKeys([request('heroes', 'hero'), request('heroes', 'hero_walk'), request('items', 'coin'), request('items', 'hero'), request('terrain', 'grass')], keys);

  it('names each sprite by its manifest name, and the second of two same names by its atlas', () => {
    expect(Object.keys(k.sprites).sort()).toEqual(['coin', 'grass', 'hero', 'hero_walk', 'items_hero']);
  });

  it('lists frames in natural order and animations by action and direction', () => {
    expect(k.sprites.coin).toEqual({ atlas: 'items', frame: 'coin_1', frames: ['coin_1', 'coin_2', 'coin_10'] });
    expect(k.sprites.hero_walk).toEqual({ atlas: 'heroes', frame: 'hero_walk/down/0', animations: { walk: { down: 'hero_walk_down' } } });
    expect(k.sprites.grass).toEqual({ image: 'grass' });
  });

  it('writes a module that exports the tables and the pack key, and wires HMR only in dev', () => {
    const code = virtualModuleCode({ keys: k, packUrlExpr: '"/pack.json"', runtimeImport: 'vite-plugin-retro-sprites/client', dev: false });
    expect(code).toContain(`export const packKey = ${JSON.stringify(PACK_KEY)};`);
    expect(code).toContain('export const atlases = Object.freeze({"heroes":"heroes","items":"items"});');
    expect(code).not.toContain('import.meta.hot');
    expect(virtualModuleCode({ keys: k, packUrlExpr: '"/p"', runtimeImport: 'x', dev: true })).toContain('import.meta.hot.on("retro-sprites:update"');
  });
});
