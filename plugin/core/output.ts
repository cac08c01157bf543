import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RetroSpritesError } from './errors.js';

/**
 * Writes files into `dir`, each to a temporary name first and then renamed, so a game reloading
 * while we write never reads half a PNG.
 */
export async function writeOutputDir(dir: string, files: { fileName: string; bytes: Uint8Array }[]): Promise<void> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  for (const file of files) {
    const target = resolve(root, file.fileName);
    const rel = relative(root, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new RetroSpritesError('bad-output-name', `refusing to write "${file.fileName}" outside ${root}`);
    }
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${rel.split(/[\\/]/).pop()}.${process.pid}.tmp`);
    try {
      await writeFile(tmp, file.bytes);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new RetroSpritesError('write-failed', `could not write ${target}: ${(err as Error).message}`, { cause: err });
    }
  }
}
