import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { DEFAULT_MANIFEST_GLOB } from './load.js';

/** More folders than this and a build is not worth keeping by its folders' signatures. */
const MAX_DIRS = 2000;

/**
 * The folders whose listings decide what the manifest glob finds: while none of them gains, loses
 * or renames an entry, the glob finds the same files (build-memo.ts keeps a build by them). A
 * superset of what fast-glob reads: every folder under a pattern's static base, but not dot folders
 * (`dot: false` never enters them), `node_modules` or the cache folder. Undefined when there are
 * too many, or a linked folder makes the walk unsure.
 */
export async function manifestSearchDirs(root: string, manifests: string | string[] | undefined, skip: readonly string[]): Promise<string[] | undefined> {
  const patterns = manifests === undefined ? [DEFAULT_MANIFEST_GLOB] : Array.isArray(manifests) ? manifests : [manifests];
  const dirs = new Set<string>();
  const skipped = new Set(skip.map((d) => path.resolve(d)));
  for (const task of fg.generateTasks(patterns)) {
    const base = path.resolve(root, task.base);
    if (!task.dynamic) {
      dirs.add(base);
      continue;
    }
    const todo = [base];
    while (todo.length > 0) {
      const dir = todo.pop()!;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      if (dirs.size > MAX_DIRS) return undefined;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        // A base that does not exist yet is watched by its signature (missing); anything else is unsure.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dir === base) continue;
        return undefined;
      }
      for (const e of entries) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const child = path.join(dir, e.name);
        if (e.isSymbolicLink()) return undefined;
        if (e.isDirectory() && !skipped.has(child)) todo.push(child);
      }
    }
  }
  return [...dirs].sort();
}
