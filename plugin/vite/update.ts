import type { RetroSpritesUpdate } from '../client/update.js';
import type { PackEntry } from '../core/phaser/pack-json.js';
import type { Snapshot } from '../core/session.js';

const entryId = (e: PackEntry): string => `${e.type}:${e.key}`;

/**
 * What changed between two snapshots, as the client runtime needs it. File names are content
 * hashed, so an entry of the pack that names other files is art that changed.
 */
export function updateFor(previous: Snapshot | undefined, next: Snapshot, filesUrl: string, clearError: boolean): RetroSpritesUpdate {
  const before = new Map((previous?.pack ?? []).map((e) => [entryId(e), e]));
  const json = (name: string): unknown => next.files.find((x) => x.fileName === name)?.json;
  const update: RetroSpritesUpdate = { atlases: [], images: [], anims: [], clearError };
  const changedAtlases = new Set<string>();
  for (const entry of next.pack) {
    const old = before.get(entryId(entry));
    if (old && JSON.stringify(old) === JSON.stringify(entry)) continue;
    if (entry.type === 'atlas') {
      update.atlases.push({ key: entry.key, json: json(entry.atlasURL), images: [filesUrl + entry.textureURL] });
      changedAtlases.add(entry.key);
    } else if (entry.type === 'multiatlas') {
      const data = json(entry.url) as { textures: { image: string }[] };
      update.atlases.push({ key: entry.key, json: data, images: data.textures.map((t) => filesUrl + t.image) });
      changedAtlases.add(entry.key);
    } else if (entry.type === 'image') {
      update.images.push({ key: entry.key, url: filesUrl + entry.url });
    }
  }
  // Animations hold frames of their atlas: a new texture needs its animations made again.
  for (const entry of next.pack) {
    if (entry.type !== 'animation') continue;
    const owner = entry.key.replace(/\.anims$/, '');
    const old = before.get(entryId(entry));
    if (changedAtlases.has(owner) || !old || (old.type === 'animation' && old.url !== entry.url)) {
      update.anims.push(json(entry.url) as { anims: unknown[] });
    }
  }
  return update;
}
