import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/**
 * New art for the same key in a cache entry's folder, as a teammate's regeneration arrives through
 * git: its image with red and blue swapped (pngjs writes it), its record's hash made to match, each
 * file unlinked and created anew, so the folder's stat signature moves.
 */
export async function regenerateEntry(dir: string): Promise<void> {
  const png = PNG.sync.read(await readFile(join(dir, '0.png')));
  for (let i = 0; i < png.data.length; i += 4) [png.data[i], png.data[i + 2]] = [png.data[i + 2]!, png.data[i]!];
  const art = PNG.sync.write(png);
  const record = JSON.parse(await readFile(join(dir, 'record.json'), 'utf8'));
  record.files[0].sha256 = createHash('sha256').update(art).digest('hex');
  for (const [name, bytes] of [['0.png', art], ['record.json', JSON.stringify(record, null, 2) + '\n']] as const) {
    await rm(join(dir, name));
    await writeFile(join(dir, name), bytes);
  }
}
