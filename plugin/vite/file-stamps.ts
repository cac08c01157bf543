import { stat } from 'node:fs/promises';
import type { Snapshot } from '../core/session.js';

/**
 * What a save changes in a file: inode (an editor may replace it), size and times. Vite's watcher
 * (chokidar) reports a file's change and then drops that file's events for the next 50 ms, so a
 * save that soon after the last one brings no event: the dev server compares these stamps from
 * before and after a refresh to see the saves it was not told about.
 */
export async function stampFiles(files: Iterable<string>): Promise<Map<string, string>> {
  const list = [...new Set(files)];
  const stamps = await Promise.all(list.map((f) => stat(f).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`, () => 'missing')));
  return new Map(list.map((f, i) => [f, stamps[i]!]));
}

/** Whether any stamped file changed since. */
export async function changedSince(before: ReadonlyMap<string, string>): Promise<boolean> {
  const now = await stampFiles(before.keys());
  for (const [file, stamp] of before) if (now.get(file) !== stamp) return true;
  return false;
}

/** The manifests and the files they reference, as the snapshot read them. */
export function filesOf(snapshot: Snapshot | undefined): string[] {
  if (!snapshot) return [];
  return [...snapshot.plan.files, ...snapshot.requests.flatMap((r) => r.dependencies)];
}
