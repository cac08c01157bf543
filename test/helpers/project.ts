import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheKey } from '../../plugin/core/cache-key.js';
import { loadManifests } from '../../plugin/core/manifest/index.js';
import type { KeyedRequest } from '../../plugin/core/request.js';

/** Writes files (path relative to root → text) into a project folder. */
export async function writeProject(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

/** A manifest with `n` small sprites named s0…s{n-1}. */
export function manySprites(n: number, atlas = 'many', extra = ''): string {
  const lines = [`atlas: ${atlas}`, 'defaults:', '  width: 16', '  height: 16', 'sprites:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, `    prompt: gem number ${i}${extra}`);
  return lines.join('\n') + '\n';
}

/** Loads a project's manifests and keys the requests under a provider identity. */
export async function keyedRequests(root: string, provider: { id: string; version: string }): Promise<KeyedRequest[]> {
  const plan = await loadManifests({ root });
  return plan.requests.map((r) => ({ ...r, key: cacheKey(r.payload, provider) }));
}
