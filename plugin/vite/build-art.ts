import { PLUGIN_VERSION } from '../core/version.js';
import type { KeptBuild } from '../core/build-memo.js';
import type { Diagnostic } from '../core/errors.js';
import type { Snapshot } from '../core/session.js';
import type { RetroSpritesOptions } from './options.js';
import { declarations } from './dts.js';
import { TABLE_NAMES, virtualKeys, virtualTables, type VirtualTables } from './virtual-module.js';
import { watchedFiles } from './watched-files.js';

/** What a build emits, and what its virtual module, `.d.ts` and terminal say: made, or kept. */
export interface BuildArt {
  files: { fileName: string; kind: string; bytes: Uint8Array }[];
  /** The virtual module's key tables, as JSON text. */
  tables: VirtualTables;
  /** The virtual module's declarations (`retro-sprites.d.ts`), unless the plugin writes none (`dts: false`). */
  dts?: string;
  warnings: Diagnostic[];
  /** Every file the art is made from (`vite build --watch` rebuilds when one changes). */
  watch: string[];
  sprites: number;
  /** The provider's notice (no key: placeholder art), said again when the build is kept. */
  notice?: string;
}

/** The face's part of a kept build, beside its files and its texts (the tables and the declarations). */
type KeptData = Omit<BuildArt, 'files' | 'tables' | 'dts'>;

export function artOfSnapshot(snapshot: Snapshot, notice: string | undefined, withDts: boolean): BuildArt {
  const keys = virtualKeys(snapshot.requests, snapshot.keys);
  return {
    files: snapshot.files.map(({ fileName, kind, bytes }) => ({ fileName, kind, bytes })),
    tables: virtualTables(keys),
    // Megabytes in a large game: not made, kept or read back when no file is written.
    ...(withDts ? { dts: declarations(keys) } : {}),
    warnings: snapshot.plan.warnings,
    watch: watchedFiles(snapshot),
    sprites: snapshot.requests.length,
    notice,
  };
}

export function keptOfArt(art: BuildArt): KeptBuild {
  const { files, tables, dts, ...data } = art;
  return { files, texts: { ...tables, ...(dts === undefined ? {} : { dts }) }, data: data satisfies KeptData };
}

/** A kept build as art; undefined when its data is not what keptOfArt writes (the memo is sealed, this is belt and braces). */
export function artOfKept(kept: KeptBuild): BuildArt | undefined {
  const d = kept.data as Partial<KeptData> | null;
  const t = kept.texts;
  if (!d || typeof d !== 'object' || (t.dts !== undefined && typeof t.dts !== 'string') || !TABLE_NAMES.every((name) => typeof t[name] === 'string')) return undefined;
  const tables = Object.fromEntries(TABLE_NAMES.map((name) => [name, t[name]!])) as VirtualTables;
  if (!Array.isArray(d.warnings) || !Array.isArray(d.watch) || !d.watch.every((f) => typeof f === 'string') || typeof d.sprites !== 'number') return undefined;
  if (d.notice !== undefined && typeof d.notice !== 'string') return undefined;
  return { files: kept.files, tables, ...(t.dts === undefined ? {} : { dts: t.dts }), warnings: d.warnings, watch: d.watch, sprites: d.sprites, notice: d.notice };
}


/**
 * Everything besides the manifests and the cache that decides what a build emits: the plugin's
 * version, its options, the environment it reads and Vite's naming. Undefined when the options
 * are not plain data (then nothing is kept). No secret enters it, not even hashed: the key counts
 * only as there or not (it picks the provider, which is part of every content key).
 */
export function buildContext(
  options: RetroSpritesOptions,
  root: string,
  vite: { base: string; assetsDir: string; mode: string },
  env: NodeJS.ProcessEnv = process.env,
): unknown {
  let plain: string;
  try {
    plain = JSON.stringify({ ...options, apiKey: Boolean(options.apiKey) }, (_k, v: unknown) => {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Error('not plain data');
      return v;
    });
  } catch {
    return undefined;
  }
  return {
    plugin: PLUGIN_VERSION,
    root,
    options: JSON.parse(plain) as unknown,
    env: {
      key: Boolean(env.RD_API_KEY?.trim()),
      url: env.RD_API_URL ?? null,
      version: env.RD_API_VERSION ?? null,
      cache: env.RETRO_SPRITES_CACHE ?? null,
    },
    vite,
  };
}
