import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { CacheEntry } from './cache/store.js';
import { RetroSpritesError } from './errors.js';
import { atomicWrite } from './fs/atomic-write.js';
import type { AtlasOptions } from './phaser/atlas.js';
import { buildAtlas } from './phaser/build.js';
import { renderFiles, type OutputFile } from './phaser/render.js';
import { spriteSourcesByAtlas } from './phaser/sprite-sources.js';
import type { KeyedRequest } from './request.js';

/** `retro-sprites generate --out DIR`: what the build emits, written as plain files. */
export async function writeProjectOutput(
  run: { requests: KeyedRequest[]; entries: Map<string, CacheEntry> },
  dir: string,
  options: AtlasOptions = {},
): Promise<OutputFile[]> {
  const groups = spriteSourcesByAtlas(run.requests, (request) => {
    const images = run.entries.get(request.key)?.images;
    return images ? { request, images } : undefined;
  });
  const atlases = [...groups].map(([name, sprites]) => buildAtlas(name, sprites, options));
  const { files } = renderFiles(atlases);
  await writeOutputDir(dir, files);
  return files;
}

/** Writes files into `dir`, each atomically, so a game reloading while we write never reads half a PNG. */
export async function writeOutputDir(dir: string, files: { fileName: string; bytes: Uint8Array }[]): Promise<void> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  for (const file of files) {
    const target = resolve(root, file.fileName);
    const rel = relative(root, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new RetroSpritesError('bad-output-name', `refusing to write "${file.fileName}" outside ${root}`);
    }
    try {
      await mkdir(dirname(target), { recursive: true });
      await atomicWrite(target, file.bytes);
    } catch (err) {
      throw new RetroSpritesError('write-failed', `could not write ${target}: ${(err as Error).message}`, { cause: err });
    }
  }
}
