import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `dir` (relative paths, sorted), optionally skipping folders by name. */
export async function listFiles(dir: string, skip: readonly string[] = [], prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (skip.includes(e.name)) continue;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), skip, `${prefix}${e.name}/`)));
    else out.push(prefix + e.name);
  }
  return out.sort();
}

/** Which of `needles` occur in any file under `dir` (as bytes). */
export async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await listFiles(dir)) {
    const bytes = await readFile(join(dir, f));
    for (const n of needles) if (bytes.includes(Buffer.from(n))) hits.push(`${f}: ${n.slice(0, 6)}…`);
  }
  return hits;
}
