import type { Snapshot } from '../core/session.js';

/** Every file the art is made from: the manifests and the images they reference. */
export function watchedFiles(snapshot: Snapshot): string[] {
  const files = new Set(snapshot.plan.files);
  for (const r of snapshot.requests) for (const d of r.dependencies) files.add(d);
  return [...files].sort();
}
