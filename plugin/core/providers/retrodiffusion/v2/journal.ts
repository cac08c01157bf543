import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../../../fs/atomic-write.js';
import { isValidIdempotencyKey } from './idempotency.js';

/**
 * What a paid v2 submission left behind until its art lands in the cache: the Idempotency-Key it
 * was (or is about to be) sent with, and the task id once the API accepted it. A run that finds a
 * record polls the task instead of posting, so an interrupted or killed run pays nothing new.
 */
export interface PendingTask {
  /** The sprite's cache key (the file's name, repeated so a moved file is noticed). */
  key: string;
  idempotencyKey: string;
  /** Known once the POST was answered. */
  taskId?: string;
  /** Request id the API gave with the task (often the same value), for messages and recovery. */
  requestId?: string;
  /** ISO time of the last write. */
  at: string;
}

const KEY_RE = /^[0-9a-f]{64}$/;
/** Task and request ids we are willing to put in a URL path: the API's are UUID-like. */
export const TASK_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** A record is a few hundred bytes; anything bigger in the folder is not ours. */
const MAX_RECORD_BYTES = 4096;

/**
 * One small JSON file per pending sprite in `<cache>/.pending/`. The cache folder is committed and
 * untrusted: a record is read with a size bound and checked field by field, and one that fails is
 * ignored (the derived Idempotency-Key makes posting again free, so ignoring loses nothing).
 * Writes are atomic (temp file, fsync, rename): a kill -9 leaves the old record or the new one.
 */
export class PendingJournal {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    if (!KEY_RE.test(key)) throw new TypeError(`not a cache key: ${key}`);
    return join(this.dir, `${key}.json`);
  }

  async read(key: string): Promise<PendingTask | undefined> {
    const path = this.path(key);
    try {
      const s = await stat(path);
      if (!s.isFile() || s.size > MAX_RECORD_BYTES) return undefined;
      return parseRecord(await readFile(path, 'utf8'), key);
    } catch {
      return undefined;
    }
  }

  async write(record: Omit<PendingTask, 'at'>): Promise<void> {
    const path = this.path(record.key);
    await mkdir(this.dir, { recursive: true });
    // fsync: the record stands for money spent; it must survive a power cut as well as a kill -9.
    await atomicWrite(path, JSON.stringify({ ...record, at: new Date().toISOString() }) + '\n', { fsync: true });
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

function parseRecord(text: string, key: string): PendingTask | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const r = json as Record<string, unknown>;
  if (r.key !== key || !isValidIdempotencyKey(r.idempotencyKey)) return undefined;
  if (r.taskId !== undefined && (typeof r.taskId !== 'string' || !TASK_ID_RE.test(r.taskId))) return undefined;
  if (r.requestId !== undefined && (typeof r.requestId !== 'string' || !TASK_ID_RE.test(r.requestId))) return undefined;
  return {
    key,
    idempotencyKey: r.idempotencyKey,
    ...(typeof r.taskId === 'string' ? { taskId: r.taskId } : {}),
    ...(typeof r.requestId === 'string' ? { requestId: r.requestId } : {}),
    at: typeof r.at === 'string' ? r.at : '',
  };
}
