import { resolve, sep } from 'node:path';
import { DEFAULT_MANIFEST_GLOB } from '../core/manifest/index.js';
import type { Snapshot } from '../core/session.js';

/** The folder part of a glob before its first wildcard: `manifests/**\/*.yaml` → `manifests`. */
export function globBase(pattern: string): string {
  const fixed: string[] = [];
  for (const part of pattern.split('/')) {
    if (/[*?[\]{}()!]/.test(part)) break;
    fixed.push(part);
  }
  return fixed.join('/') || '.';
}

/**
 * Which files on disk belong to the art: manifests (known ones, or new YAML files under a manifest
 * glob's folder) and the images they reference; never the cache folder. Other YAML in the project
 * (a CI workflow, data another plugin imports) is not ours.
 */
export class ManifestFiles {
  readonly folders: string[];
  private readonly cacheDir: string;

  constructor(root: string, patterns: string | string[] | undefined, cacheDir: string) {
    this.folders = [patterns ?? DEFAULT_MANIFEST_GLOB].flat().map((p) => resolve(root, globBase(p)));
    this.cacheDir = cacheDir + sep;
  }

  isManifest(file: string, current: Snapshot | undefined): boolean {
    if (file.startsWith(this.cacheDir) || !/\.ya?ml$/i.test(file)) return false;
    if (current?.plan.files.includes(file)) return true;
    return this.folders.some((folder) => file.startsWith(folder + sep));
  }

  /** Whether a change to `file` can change the art. */
  concerns(file: string, current: Snapshot | undefined): boolean {
    if (file.startsWith(this.cacheDir)) return false;
    if (this.isManifest(file, current)) return true;
    // The last load failed: a file added now may be the one a manifest was missing.
    if (!current) return this.folders.some((folder) => file.startsWith(folder + sep));
    return current.requests.some((r) => r.dependencies.includes(file));
  }
}
