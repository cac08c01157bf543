import { createHash } from 'node:crypto';
import { lstatSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCacheKey, type CacheFolder } from './cache/folder.js';
import { contentHash } from './content-hash.js';
import { atomicWrite } from './fs/atomic-write.js';
import { openSealed, seal } from './fs/seal.js';
import { sameEntries, type ShardSignature } from './fs/folder-check.js';
import { EntrySignatures, FOLDER, racy, sameSignature, settlesAt, signature, type KnownSignatures, type Signature } from './fs/stat-signature.js';
import { readRegularSync } from './fs/untrusted-fs.js';

/**
 * A whole build's output kept by its inputs, so an unchanged `vite build` parses no manifest,
 * keys no request, reads no cache record and decodes no image: it checks that nothing the output
 * was made from has changed and hands back the stored files.
 *
 * The inputs: the face's context (options, environment, naming; JSON), the bytes of every
 * manifest and referenced file (sha256), the folders whose listing decides which manifests there
 * are, and every cache entry read. Folders and entries are compared by their stat signature
 * (fs/stat-signature.ts) instead of their content; an input changed so shortly before (or during)
 * the build that a later change could carry the same timestamps is not trusted, and the build is
 * not kept.
 *
 * The entries are checked by their shards (fs/folder-check.ts): a shard folder whose signature is
 * the one stored says none of its entries changed; each entry of a shard that did change is looked
 * at by its record's signature. An entry whose bytes are edited in place keeps its signatures.
 * That is damage, not one of the ways art changes, and what a kept build emits is still what was
 * made from the entry as read and verified then.
 *
 * The memo lies in the cache folder (`.builds/`, local and git-ignored), read as untrusted: it is
 * used only when it carries this machine's seal (fs/seal.ts), every stored file has the size and
 * sha256 the memo gives it, and every input checks. Anything else is a miss: the full build runs
 * and keeps its result. Derived data never fails a build.
 */

/** Bumped whenever the memo's shape or what a build makes from the same inputs changes. */
const MEMO_FORMAT = 8;
/** Memos kept per cache folder (one per context: a project built with other options, another base). */
const KEEP_MEMOS = 8;
const MAX_MEMO_BYTES = 256 * 1024 * 1024;
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** What a build was made from. */
export interface BuildInputs {
  /** Manifests and the files they reference (absolute paths). */
  files: readonly string[];
  /** Folders whose listings decide which manifests there are (absolute paths). */
  dirs: readonly string[];
  /** The cache entries read. */
  keys: readonly string[];
  /** When the build started (ms since the epoch): an input changed after it is not trusted. */
  startedAt: number;
  /** The entries' signatures as the build first saw them (stat-signature.ts); the rest are taken now. */
  signatures?: EntrySignatures;
}

/** One file of a build's output. */
export interface KeptFile {
  fileName: string;
  kind: string;
  bytes: Uint8Array;
}

/**
 * A build as it was kept: its files, and the face's own data beside them: small JSON, and texts
 * (megabytes in a large game) kept as files of their own, so reading the memo never parses them.
 */
export interface KeptBuild {
  files: KeptFile[];
  texts: Record<string, string>;
  data: unknown;
}

interface StoredFile { fileName: string; kind: string; sha256: string; size: number }
interface StoredMemo {
  format: number;
  context: string;
  files: [string, string][];
  dirs: [string, ...Signature][];
  /**
   * The shards the entries lie in, with their signatures; `covered` when every entry's shard is
   * among them. The entries themselves (keys end to end, then their signatures as four float64 a
   * key, little-endian: 96 bytes an entry) are a stored file of their own, read only when a shard
   * changed: at 20 000 entries they are 2 MB that an unchanged build need not open.
   */
  entries: { count: number; list: { sha256: string; size: number }; shards: ShardSignature[]; covered: boolean };
  outputs: StoredFile[];
  texts: { name: string; sha256: string; size: number }[];
  data: unknown;
}

export class BuildMemo {
  private readonly dir: string;
  private readonly filesDir: string;
  private readonly contextHash: string;
  /** The memo find() opened, valid and of this context, whether or not its build was kept. */
  private opened?: StoredMemo;
  /** Its list of entries as read (undefined when it did not verify). */
  private list?: { read?: { keys: string; sigs: Float64Array } };

  /** `context`: everything besides the inputs that decides the output (JSON, no secrets). */
  constructor(
    private readonly folder: CacheFolder,
    context: unknown,
  ) {
    this.dir = folder.buildsDir;
    this.filesDir = join(this.dir, 'files');
    this.contextHash = sha256(JSON.stringify({ format: MEMO_FORMAT, context }));
  }

  private get memoName(): string {
    return `${this.contextHash}.json`;
  }

  /** The kept build, when every input is as it was; undefined otherwise. */
  async find(): Promise<KeptBuild | undefined> {
    const read = readRegularSync(join(this.dir, this.memoName), MAX_MEMO_BYTES);
    if (!('bytes' in read)) return undefined;
    const opened = await openSealed(this.memoName, read.bytes);
    if (!opened) return undefined;
    let memo: unknown;
    try {
      memo = JSON.parse(Buffer.from(opened.buffer, opened.byteOffset, opened.byteLength).toString('utf8'));
    } catch {
      return undefined;
    }
    if (!validMemo(memo) || memo.context !== this.contextHash) return undefined;
    this.opened = memo;
    this.list = undefined;
    // Cheapest first: a changed folder or manifest says "miss" before thousands of entries are looked at.
    for (const [path, ...sig] of memo.dirs) if (!sameSignature(signature(path), sig)) return undefined;
    for (const [path, hash] of memo.files) {
      const file = readRegularSync(path, MAX_FILE_BYTES);
      if (!('bytes' in file) || sha256(file.bytes) !== hash) return undefined;
    }
    // A stat per shard; the entries of a shard that changed are looked at one by one. Nothing read.
    const { count, shards, covered } = memo.entries;
    const moved = shards.some(([name, ...sig]) => !sameSignature(signature(join(this.folder.dir, name)), sig));
    if (count > 0 && (moved || !covered)) {
      const list = this.entryList();
      if (!list || !sameEntries(this.folder.dir, list.keys, list.sigs, shards)) return undefined;
    }
    return this.readKept(memo);
  }

  /** The opened memo's entries (keys end to end, their signatures), read once; undefined unless the stored list verifies. */
  private entryList(): { keys: string; sigs: Float64Array } | undefined {
    const entries = this.opened?.entries;
    if (!entries) return undefined;
    if (!this.list) {
      const bytes = this.readBlob(entries.list);
      const n = entries.count;
      const keys = bytes?.length === 96 * n ? Buffer.from(bytes.buffer, bytes.byteOffset, 64 * n).toString('latin1') : undefined;
      this.list = { read: keys === undefined ? undefined : { keys, sigs: decodeSignatures(bytes!.subarray(64 * n)) } };
    }
    return this.list.read;
  }

  /**
   * After find() missed (a manifest changed, say): the signatures the last build kept of its
   * entries, for the build that runs now to take in place of looking at each one while its shard
   * is unchanged (stat-signature.ts). A shard left out of the memo (it was racy) knows none.
   */
  knownSignatures(): KnownSignatures | undefined {
    const list = this.opened?.entries.count ? this.entryList() : undefined;
    if (!list) return undefined;
    const { keys, sigs } = list;
    const at = new Map<string, number>();
    for (let i = 0; i < keys.length / 64; i++) at.set(keys.slice(64 * i, 64 * i + 64), i);
    const shardSigs = new Map(this.opened!.entries.shards.map(([name, ...sig]) => [name, sig]));
    return (key) => {
      const i = at.get(key);
      const shard = shardSigs.get(key.slice(0, 2));
      return i === undefined || !shard ? undefined : { record: Array.from(sigs.subarray(4 * i, 4 * i + 4)) as Signature, shard };
    };
  }

  private readKept(memo: StoredMemo): KeptBuild | undefined {
    // Every file is looked at, so each damaged one is removed now, not one per build.
    const outputs = memo.outputs.map((out) => this.readBlob(out));
    const texts = memo.texts.map((t) => this.readBlob(t));
    if (!outputs.every(Boolean) || !texts.every(Boolean)) return undefined;
    return {
      files: memo.outputs.map((out, i) => ({ fileName: out.fileName, kind: out.kind, bytes: outputs[i]! })),
      texts: Object.fromEntries(memo.texts.map((t, i) => [t.name, Buffer.from(texts[i]!.buffer, texts[i]!.byteOffset, texts[i]!.byteLength).toString('utf8')])),
      data: memo.data,
    };
  }

  /**
   * A stored file's bytes, when they are the ones the memo names. A damaged one is removed, so the
   * next save writes it again (a save takes a file of the right name and size as written).
   */
  private readBlob(blob: { sha256: string; size: number }): Uint8Array | undefined {
    const path = join(this.filesDir, blob.sha256);
    const file = readRegularSync(path, MAX_FILE_BYTES);
    if ('missing' in file) return undefined;
    if (!('bytes' in file) || file.bytes.length !== blob.size || sha256(file.bytes) !== blob.sha256) {
      try {
        rmSync(path, { force: true });
      } catch {
        // A folder or worse in its place: the save's write replaces it, or fails and keeps nothing.
      }
      return undefined;
    }
    return new Uint8Array(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  }

  /**
   * Stores bytes under their sha256, once: a regular file of that name and size is taken as
   * written (reading back the 20 files of a build to hash them again was a third of a save), and
   * find() removes one that is not.
   */
  private async writeBlob(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const hash = contentHash(bytes);
    const path = join(this.filesDir, hash);
    const have = lstatSync(path, { throwIfNoEntry: false });
    if (!have?.isFile() || have.size !== bytes.length) await atomicWrite(path, bytes);
    return { sha256: hash, size: bytes.length };
  }

  /**
   * Keeps a finished build. Not kept (the next build is a full one again) when an input changed
   * during or just before the build, or a folder cannot be read.
   */
  async save(inputs: BuildInputs, build: KeptBuild): Promise<boolean> {
    try {
      const dirs: [string, ...Signature][] = [];
      for (const path of [...new Set(inputs.dirs)].sort()) {
        const sig = signature(path);
        if (sig?.[0] !== FOLDER || racy(sig, inputs.startedAt)) return false;
        dirs.push([path, ...sig]);
      }
      const keys = [...new Set(inputs.keys)].sort();
      const signatures = new Float64Array(4 * keys.length);
      const book = inputs.signatures ?? new EntrySignatures();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const sig = isCacheKey(key) ? book.of(key, this.folder.recordFile(key)) : undefined;
        if (!book.trusted(key, sig, inputs.startedAt)) return false;
        signatures.set(sig, 4 * i);
      }
      const shards = await this.shardSignatures(keys, signatures, book, inputs.startedAt);
      const covered = shards.length === new Set(keys.map((k) => k.slice(0, 2))).size;
      const files: [string, string][] = [];
      for (const path of [...new Set(inputs.files)].sort()) {
        const sig = signature(path);
        const read = readRegularSync(path, MAX_FILE_BYTES);
        if (!sig || racy(sig, inputs.startedAt) || !('bytes' in read)) return false;
        files.push([path, sha256(read.bytes)]);
      }
      await this.folder.ensureIgnoreFile();
      await mkdir(this.filesDir, { recursive: true });
      const outputs: StoredFile[] = [];
      for (const f of build.files) outputs.push({ fileName: f.fileName, kind: f.kind, ...(await this.writeBlob(f.bytes)) });
      const texts: StoredMemo['texts'] = [];
      for (const [name, text] of Object.entries(build.texts)) texts.push({ name, ...(await this.writeBlob(Buffer.from(text))) });
      const list = await this.writeBlob(Buffer.concat([Buffer.from(keys.join(''), 'latin1'), encodeSignatures(signatures)]));
      const entries = { count: keys.length, list, shards, covered };
      const memo: StoredMemo = { format: MEMO_FORMAT, context: this.contextHash, files, dirs, entries, outputs, texts, data: build.data };
      await atomicWrite(join(this.dir, this.memoName), await seal(this.memoName, Buffer.from(JSON.stringify(memo))));
      await this.prune(memo);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The signatures of the shards `keys` lie in, each as the build first saw it when it is the same
   * now and was not racy then: nothing in it changed while the build looked at its entries. A shard
   * that moved during the build (it generated into it) is taken again, after waiting out what is
   * left of the grain once, and its entries are looked at again and found as the build used them
   * (`sigs`), so a later change to any of them moves it. A shard still racy, or with an entry that
   * changed since the build used it, is left out: the next build looks at its entries one by one.
   */
  private async shardSignatures(keys: readonly string[], sigs: Float64Array, book: EntrySignatures, startedAt: number): Promise<ShardSignature[]> {
    const first = new Map<string, number>();
    keys.forEach((k, i) => first.has(k.slice(0, 2)) || first.set(k.slice(0, 2), i));
    const kept: ShardSignature[] = [];
    const moved: string[] = [];
    for (const [name, i] of first) {
      const path = this.folder.shardDir(keys[i]!);
      const then = book.shardAt(path);
      if (then?.[0] === FOLDER && !racy(then, startedAt) && sameSignature(signature(path), then)) kept.push([name, ...then]);
      else moved.push(name);
    }
    if (moved.length === 0) return kept;
    const take = () => moved.map((name) => [name, signature(this.folder.shardDir(keys[first.get(name)!]!))] as const);
    let taken = take();
    const latest = Math.max(0, ...taken.map(([, sig]) => (sig ? settlesAt(sig) : 0)));
    if (latest >= Date.now() && latest + 1 - Date.now() <= 60) {
      await sleep(latest + 1 - Date.now());
      taken = take();
    }
    const now = Date.now();
    const trusted = new Set(taken.filter(([, sig]) => sig?.[0] === FOLDER && !racy(sig, now)).map(([name]) => name));
    for (let i = 0; i < keys.length; i++) {
      const shard = keys[i]!.slice(0, 2);
      if (trusted.has(shard) && !sameSignature(signature(this.folder.recordFile(keys[i]!)), Array.from(sigs.subarray(4 * i, 4 * i + 4)))) trusted.delete(shard);
    }
    for (const [name, sig] of taken) if (trusted.has(name)) kept.push([name, ...sig!]);
    return kept;
  }

  /**
   * The newest KEEP_MEMOS memos stay, and the files they name; older memos go, and so do files no
   * memo names (a build's output changes with every edit). A file written in the last minute may
   * belong to a memo another build is about to write: it stays until a later prune. `written`:
   * the memo this save wrote, whose files are known without reading it back.
   */
  private async prune(written: StoredMemo): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(this.dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    const keep = new Set<string>();
    for (const o of blobsOf(written)) keep.add(o.sha256);
    for (const { n } of dated.slice(0, KEEP_MEMOS)) {
      if (n === this.memoName) continue;
      const read = readRegularSync(join(this.dir, n), MAX_MEMO_BYTES);
      const opened = 'bytes' in read ? await openSealed(n, read.bytes) : undefined;
      if (!opened) continue;
      try {
        const memo: unknown = JSON.parse(Buffer.from(opened).toString('utf8'));
        if (validMemo(memo)) for (const o of blobsOf(memo)) keep.add(o.sha256);
      } catch {}
    }
    for (const { n } of dated.slice(KEEP_MEMOS)) await rm(join(this.dir, n), { force: true });
    const recent = Date.now() - 60_000;
    for (const f of await readdir(this.filesDir)) {
      if (keep.has(f)) continue;
      const st = await stat(join(this.filesDir, f)).catch(() => undefined);
      if (st && st.mtimeMs < recent) await rm(join(this.filesDir, f), { force: true });
    }
  }
}

/** Every stored file a memo names. */
const blobsOf = (memo: StoredMemo) => [...memo.outputs, ...memo.texts, memo.entries.list];

// Little-endian on every machine: a memo is read only where it was written, but never misread.
function encodeSignatures(sigs: Float64Array): Buffer {
  if (os.endianness() === 'LE') return Buffer.from(sigs.buffer, sigs.byteOffset, sigs.byteLength);
  const bytes = Buffer.alloc(sigs.length * 8);
  sigs.forEach((v, i) => bytes.writeDoubleLE(v, i * 8));
  return bytes;
}

function decodeSignatures(stored: Uint8Array): Float64Array {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const out = new Float64Array(Math.floor(bytes.length / 8));
  if (os.endianness() === 'LE') new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

const isPairs = (v: unknown): v is [string, string][] =>
  Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
const isSigned = (v: unknown): v is [string, ...Signature][] =>
  Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 5 && typeof p[0] === 'string' && p.slice(1).every((n) => typeof n === 'number'));

/** The shape save() writes. */
function validMemo(v: unknown): v is StoredMemo {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  if (m.format !== MEMO_FORMAT || typeof m.context !== 'string') return false;
  if (!isPairs(m.files) || !isSigned(m.dirs) || !Array.isArray(m.outputs)) return false;
  // Keys are checked when saved; the seal says this is what was saved.
  const e = m.entries as StoredMemo['entries'] | undefined;
  if (!e || !Number.isInteger(e.count) || typeof e.covered !== 'boolean' || !isSigned(e.shards)) return false;
  const isBlob = (o: unknown, name: string[]): boolean => {
    if (!o || typeof o !== 'object') return false;
    const f = o as Record<string, unknown>;
    return name.every((n) => typeof f[n] === 'string') && typeof f.sha256 === 'string' && HEX64.test(f.sha256) && Number.isInteger(f.size);
  };
  return Array.isArray(m.texts) && m.outputs.every((o) => isBlob(o, ['fileName', 'kind'])) && m.texts.every((t) => isBlob(t, ['name'])) && isBlob(e.list, []);
}
