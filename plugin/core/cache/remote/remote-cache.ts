import { setTimeout as sleep } from 'node:timers/promises';
import { runPool } from '../../pool.js';
import type { GeneratedImage } from '../../providers/provider.js';
import type { CacheEntry, CacheStore } from '../store.js';
import { RemoteError, type RemoteBackend } from './backend.js';
import { Leases, type LeaseOptions } from './lease.js';
import { MAX_FILE_BYTES, MAX_RECORD_BYTES, fileProblem, parseRemoteRecord } from './verify.js';

export interface RemoteCacheOptions {
  log?: (line: string) => void;
  /** Tries of one upload before it is reported (default 4), with doubling waits from `backoffMs` (200). */
  uploadAttempts?: number;
  backoffMs?: number;
  /** Entries fetched at once (default 16). */
  concurrency?: number;
  lease?: LeaseOptions;
}

export type RemoteFetch = { status: 'hit'; entry: CacheEntry } | { status: 'absent' } | { status: 'refused'; reason: string };

/** What this process did with the remote, for `cache status`, tests and the bench. */
export interface RemoteCounts {
  fetched: number;
  refused: number;
  uploaded: number;
  notUploaded: number;
}

/**
 * A shared cache behind the local one. Read-through: a local miss is asked for here, and what comes
 * back enters the local cache only once every file matches its record's sha256. Write-back: a newly
 * paid entry is uploaded files first, record last, so a reader never sees half an entry. The remote
 * is a convenience, never a condition: when it cannot be reached the build says so once and goes on
 * with the local cache; an upload that keeps failing is reported and left for `cache push`.
 */
export class RemoteCache {
  readonly backend: RemoteBackend;
  readonly leases: Leases;
  readonly counts: RemoteCounts = { fetched: 0, refused: 0, uploaded: 0, notUploaded: 0 };
  private readonly log: (line: string) => void;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly concurrency: number;
  private downReason?: string;
  private readonly reported = new Set<string>();

  constructor(backend: RemoteBackend, opts: RemoteCacheOptions = {}) {
    this.backend = backend;
    this.log = opts.log ?? (() => undefined);
    this.attempts = opts.uploadAttempts ?? 4;
    this.backoffMs = opts.backoffMs ?? 200;
    this.concurrency = opts.concurrency ?? 16;
    this.leases = new Leases(backend, opts.lease, (line) => this.log(line));
  }

  get where(): string {
    return this.backend.where;
  }

  /** Why the remote is out of use for the rest of this process, if it is. */
  get down(): string | undefined {
    return this.downReason;
  }

  /** A failure that means "the remote is not there for us": said once, then the remote is left alone. */
  private noteFailure(err: unknown): void {
    if (!(err instanceof RemoteError)) throw err;
    if (err.kind === 'refused') return;
    if (this.downReason) return;
    this.downReason = err.message;
    const what = err.kind === 'auth' ? 'refused our credentials' : err.kind === 'server' ? 'is failing' : 'is unreachable';
    this.log(
      `remote cache ${this.where} ${what} (${err.message}); going on with the local cache. ` +
        'Entries made meanwhile stay local: `retro-sprites cache push` uploads them later.',
    );
  }

  /** Fetches the entries of `keys` the remote holds into `store`, one listing or batched check first. */
  async fetchMany(keys: readonly string[], store: CacheStore): Promise<Map<string, RemoteFetch>> {
    const out = new Map<string, RemoteFetch>();
    if (this.downReason || keys.length === 0) return out;
    let held: Set<string> | undefined;
    try {
      held = await this.backend.findRecords(keys);
    } catch (err) {
      this.noteFailure(err);
      return out;
    }
    const candidates = held ? keys.filter((k) => held.has(k)) : [...keys];
    const before = this.counts.fetched;
    await runPool(candidates, this.concurrency, async (key) => {
      if (this.downReason) return;
      out.set(key, await this.fetchOne(key, store));
    });
    const n = this.counts.fetched - before;
    if (n > 0) this.log(`${n} entr${n === 1 ? 'y' : 'ies'} fetched from the remote cache ${this.where}`);
    return out;
  }

  /** One entry from the remote into `store`, verified; a refused entry is reported once and never used. */
  async fetchOne(key: string, store: CacheStore): Promise<RemoteFetch> {
    if (this.downReason) return { status: 'absent' };
    try {
      const recordBytes = await this.backend.get({ kind: 'record', key }, MAX_RECORD_BYTES);
      if (!recordBytes) return { status: 'absent' };
      const record = parseRemoteRecord(key, recordBytes);
      if (typeof record === 'string') return this.refuse(key, record);
      const images: GeneratedImage[] = [];
      for (const f of record.files) {
        const bytes = await this.backend.get({ kind: 'file', key, name: f.name }, MAX_FILE_BYTES);
        if (!bytes) return this.refuse(key, `its record lists ${f.name} but the remote holds no such file (a record without its images)`);
        const problem = fileProblem(f, bytes);
        if (problem) return this.refuse(key, problem);
        images.push({ format: f.format, bytes, width: f.width, height: f.height });
      }
      const entry = await store.putRecord(record, images);
      this.counts.fetched++;
      return { status: 'hit', entry };
    } catch (err) {
      if (err instanceof RemoteError && err.kind === 'refused') return this.refuse(key, err.message);
      this.noteFailure(err);
      return { status: 'absent' };
    }
  }

  private refuse(key: string, reason: string): RemoteFetch {
    this.counts.refused++;
    if (!this.reported.has(key + reason)) {
      this.reported.add(key + reason);
      this.log(`remote cache entry ${key.slice(0, 12)} in ${this.where} refused: ${reason}; not used`);
    }
    return { status: 'refused', reason };
  }

  /**
   * Uploads one local entry: files, then the record. Retried with doubling waits; then reported.
   * Never throws: the entry is safe in the local cache whatever happens here.
   */
  async upload(entry: CacheEntry): Promise<boolean> {
    if (this.downReason) {
      this.counts.notUploaded++;
      return false;
    }
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        for (const [i, f] of entry.record.files.entries()) {
          await this.backend.put({ kind: 'file', key: entry.key, name: f.name }, entry.images[i]!.bytes);
        }
        await this.backend.put({ kind: 'record', key: entry.key }, Buffer.from(JSON.stringify(entry.record, null, 2) + '\n'));
        this.counts.uploaded++;
        return true;
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        last = err;
        if (err.kind === 'auth' || err.kind === 'refused') break;
        if (attempt < this.attempts) await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
    this.counts.notUploaded++;
    const err = last as RemoteError;
    if (err.kind === 'refused') {
      this.log(`could not upload entry ${entry.key.slice(0, 12)} (${entry.record.requested_by}) to the remote cache: ${err.message}; it is safe in the local cache`);
    } else {
      this.noteFailure(err);
    }
    return false;
  }

  /**
   * Pays for a key the remote does not hold yet. With `lease`, first takes the key's lease in the
   * remote, so another machine missing the same key waits for this one's upload instead of paying
   * too; a machine that finds the lease taken waits for the entry to appear (or the lease to lapse).
   */
  async obtain(key: string, pay: () => Promise<CacheEntry>, store: CacheStore, opts: { lease: boolean }): Promise<{ entry: CacheEntry; generated: boolean }> {
    const payAndUpload = async () => {
      const entry = await pay();
      await this.upload(entry);
      return { entry, generated: true };
    };
    if (!opts.lease) return payAndUpload();
    for (;;) {
      if (this.downReason) return payAndUpload();
      const there = await this.fetchOne(key, store);
      if (there.status === 'hit') return { entry: there.entry, generated: false };
      if (this.downReason) continue;
      let taken: 'held' | 'busy';
      try {
        taken = await this.leases.take(key);
      } catch (err) {
        this.noteFailure(err);
        if (!this.downReason) return payAndUpload();
        continue;
      }
      if (taken === 'held') {
        try {
          // The holder before us may have finished between our look and our lease.
          const again = await this.fetchOne(key, store);
          if (again.status === 'hit') return { entry: again.entry, generated: false };
          return await payAndUpload();
        } finally {
          await this.leases.release(key).catch((err) => this.noteFailure(err));
        }
      }
      await sleep(this.leases.pollMs);
    }
  }

  close(): void {
    this.backend.close?.();
  }
}
