import { readFile, writeFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { RetroSpritesError } from './errors.js';
import type { GenerationRequest } from './request.js';

/**
 * Gives one sprite a new seed by editing its manifest in place (comments and layout kept), so the
 * new art is reproducible from the manifest like any other.
 */
export async function reseedSprite(request: GenerationRequest, seed = Math.floor(Math.random() * 2 ** 31)): Promise<number> {
  const file = request.source.file;
  const doc = parseDocument(await readFile(file, 'utf8'));
  const entry = doc.getIn(['sprites', request.sprite], true);
  if (!isMap(entry)) {
    throw new RetroSpritesError('reseed', `${file}: could not find sprites.${request.sprite} to give it a new seed`);
  }
  entry.set('seed', seed);
  await writeFile(file, doc.toString());
  return seed;
}
