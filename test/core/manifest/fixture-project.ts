import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../../../plugin/core/image/png.js';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/manifests');

/** A solid-colour RGBA image; `alpha` lets a test check the flattening over white. */
export function solid(width: number, height: number, rgba: [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

export interface TempProject {
  root: string;
  /** A folder beside the root, for files a manifest must not reach. */
  outside: string;
  write(rel: string, content: string | Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

/** A fresh project folder (inside its own temp parent, so "outside the root" is still ours to clean). */
export async function tempProject(): Promise<TempProject> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'retro-manifest-'));
  const root = path.join(parent, 'project');
  const outside = path.join(parent, 'elsewhere');
  await fs.mkdir(root, { recursive: true });
  await fs.mkdir(outside, { recursive: true });
  return {
    root,
    outside,
    async write(rel, content) {
      const file = path.join(root, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
      return file;
    },
    remove: () => fs.rm(parent, { recursive: true, force: true }),
  };
}

/**
 * A project whose manifests/ folder is a copy of test/fixtures/manifests/bad, plus what fixtures
 * cannot hold: a real PNG, and a symlink that leads out of the project.
 */
export async function badCorpusProject(): Promise<TempProject> {
  const p = await tempProject();
  await fs.cp(path.join(FIXTURES, 'bad'), path.join(p.root, 'manifests'), { recursive: true });
  await p.write('manifests/refs/hero.png', encodePng(solid(8, 8, [200, 40, 40, 255])));
  const secret = path.join(p.outside, 'secret.png');
  await fs.writeFile(secret, encodePng(solid(4, 4, [0, 0, 0, 255])));
  await fs.symlink(secret, path.join(p.root, 'manifests/refs/escape.png'));
  // ../../outside.png from manifests/ lands beside the project root.
  await fs.writeFile(path.join(p.root, '..', 'outside.png'), encodePng(solid(4, 4, [0, 0, 0, 255])));
  return p;
}
