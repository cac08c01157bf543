import { describe, expect, it } from 'vitest';
import { EntrySignatures } from '../../plugin/core/fs/stat-signature.js';
import type { OutputFile } from '../../plugin/core/phaser/render.js';
import type { PackEntry } from '../../plugin/core/phaser/pack-json.js';
import type { Snapshot } from '../../plugin/core/session.js';
import { updateFor } from '../../plugin/vite/update.js';

/** A snapshot of the shape the session makes: pack entries, and the JSON files' objects beside their bytes. */
function snapshot(pack: PackEntry[], json: Record<string, unknown>): Snapshot {
  const files: OutputFile[] = Object.entries(json).map(([fileName, value]) => ({
    fileName,
    bytes: new TextEncoder().encode(JSON.stringify(value)),
    kind: fileName.endsWith('.anims.json') ? 'anims' : 'atlas',
    json: value,
  }));
  return { plan: { requests: [], warnings: [], files: [], atlases: [] }, requests: [], files, pack, keys: { atlases: [], frames: {}, animations: [], images: [], sprites: {} }, failures: [], signatures: new EntrySignatures() };
}

const heroes = (hash: string): PackEntry => ({ type: 'atlas', key: 'heroes', textureURL: `heroes-${hash}.png`, atlasURL: `heroes-${hash}.json` });
const heroAnims = (hash: string): PackEntry => ({ type: 'animation', key: 'heroes.anims', url: `heroes.anims-${hash}.json` });

describe('the HMR update between two snapshots', () => {
  it('says nothing when nothing changed', () => {
    const a = snapshot([heroes('a')], { 'heroes-a.json': { frames: {} } });
    expect(updateFor(a, a, '/files/', false)).toEqual({ atlases: [], images: [], anims: [], clearError: false });
  });

  it('sends a changed atlas with its JSON and page URL, and its animations again (they hold its frames)', () => {
    const before = snapshot([heroes('a'), heroAnims('x')], {});
    const after = snapshot([heroes('b'), heroAnims('x')], { 'heroes-b.json': { frames: { hero: {} } }, 'heroes.anims-x.json': { anims: [{ key: 'walk' }] } });
    const update = updateFor(before, after, '/files/', true);
    expect(update.atlases).toEqual([{ key: 'heroes', json: { frames: { hero: {} } }, images: ['/files/heroes-b.png'] }]);
    expect(update.anims).toEqual([{ anims: [{ key: 'walk' }] }]);
    expect(update.clearError).toBe(true);
  });

  it('sends every page of a multiatlas', () => {
    const entry: PackEntry = { type: 'multiatlas', key: 'big', url: 'big-2.json' };
    const json = { textures: [{ image: 'big-0-2.png', frames: [] }, { image: 'big-1-2.png', frames: [] }] };
    const update = updateFor(snapshot([], {}), snapshot([entry], { 'big-2.json': json }), '/files/', false);
    expect(update.atlases).toEqual([{ key: 'big', json, images: ['/files/big-0-2.png', '/files/big-1-2.png'] }]);
  });

  it('sends a changed tile image by its URL', () => {
    const update = updateFor(
      snapshot([{ type: 'image', key: 'grass', url: 'grass-a.png' }], {}),
      snapshot([{ type: 'image', key: 'grass', url: 'grass-b.png' }], {}),
      '/files/',
      false,
    );
    expect(update.images).toEqual([{ key: 'grass', url: '/files/grass-b.png' }]);
  });
});
