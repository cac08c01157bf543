import type { RetroSpritesUpdate } from '../client/update.js';
import { PACK_SECTION } from '../core/phaser/pack-json.js';
import type { Snapshot } from '../core/session.js';

interface PackEntry {
  type: string;
  key: string;
  url?: string;
  textureURL?: string;
  atlasURL?: string;
}

const decoder = new TextDecoder();

function packEntries(snapshot: Snapshot | undefined): Map<string, PackEntry> {
  const pack = snapshot?.files.find((f) => f.kind === 'pack');
  if (!pack) return new Map();
  const json = JSON.parse(decoder.decode(pack.bytes)) as Record<string, { files: PackEntry[] }>;
  return new Map((json[PACK_SECTION]?.files ?? []).map((e) => [`${e.type}:${e.key}`, e]));
}

/**
 * What changed between two snapshots, as the client runtime needs it. File names are content
 * hashed, so an entry of the pack that names other files is art that changed.
 */
export function updateFor(previous: Snapshot | undefined, next: Snapshot, filesUrl: string, clearError: boolean): RetroSpritesUpdate {
  const before = packEntries(previous);
  const after = packEntries(next);
  const json = (name: string): unknown => {
    const f = next.files.find((x) => x.fileName === name);
    return f ? JSON.parse(decoder.decode(f.bytes)) : undefined;
  };
  const update: RetroSpritesUpdate = { atlases: [], images: [], anims: [], clearError };
  const changedAtlases = new Set<string>();
  for (const [id, entry] of after) {
    const old = before.get(id);
    if (old && JSON.stringify(old) === JSON.stringify(entry)) continue;
    if (entry.type === 'atlas' && entry.atlasURL && entry.textureURL) {
      update.atlases.push({ key: entry.key, json: json(entry.atlasURL), images: [filesUrl + entry.textureURL] });
      changedAtlases.add(entry.key);
    } else if (entry.type === 'multiatlas' && entry.url) {
      const data = json(entry.url) as { textures: { image: string }[] };
      update.atlases.push({ key: entry.key, json: data, images: data.textures.map((t) => filesUrl + t.image) });
      changedAtlases.add(entry.key);
    } else if (entry.type === 'image' && entry.url) {
      update.images.push({ key: entry.key, url: filesUrl + entry.url });
    }
  }
  // Animations hold frames of their atlas: a new texture needs its animations made again.
  for (const [, entry] of after) {
    if (entry.type !== 'animation' || !entry.url) continue;
    const owner = entry.key.replace(/\.anims$/, '');
    const old = before.get(`animation:${entry.key}`);
    if (changedAtlases.has(owner) || !old || old.url !== entry.url) update.anims.push(json(entry.url) as { anims: unknown[] });
  }
  return update;
}
