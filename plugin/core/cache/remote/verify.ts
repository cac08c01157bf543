import { sha256Hex } from '../hash.js';
import { CACHE_FORMAT, type CacheRecord, type CachedFile } from '../record.js';

/** Bounds on what a remote may send: a record is a few KB, an image a few MB at most. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 64;
const FILE_NAME_RE = /^(\d{1,2})\.(png|gif)$/;
const SHA_RE = /^[0-9a-f]{64}$/;

/**
 * A remote record, checked before anything it names is fetched: it must be this key's record, of
 * our format, and name only files we would have written ourselves (`0.png`, `1.gif`, …), each with a
 * sha256. Returns the record, or the reason it is refused.
 */
export function parseRemoteRecord(key: string, bytes: Uint8Array): CacheRecord | string {
  let record: CacheRecord;
  try {
    record = JSON.parse(Buffer.from(bytes).toString('utf8')) as CacheRecord;
  } catch {
    return 'its record.json is not valid JSON (damaged or truncated)';
  }
  if (!record || typeof record !== 'object') return 'its record.json is not an object';
  if (record.key !== key) {
    return `its record.json is the record of another key (${String(record.key).slice(0, 12)}), not of ${key.slice(0, 12)}`;
  }
  if (record.format !== CACHE_FORMAT) return `its record.json has format ${String(record.format)}; this version reads format ${CACHE_FORMAT}`;
  if (!Array.isArray(record.files) || record.files.length === 0) return 'its record.json lists no files';
  if (record.files.length > MAX_FILES) return `its record.json lists ${record.files.length} files (at most ${MAX_FILES})`;
  for (const [i, f] of record.files.entries()) {
    const m = FILE_NAME_RE.exec(String(f?.name));
    if (!m || Number(m[1]) !== i || m[2] !== f.format) return `its record.json names a file ${JSON.stringify(f?.name)} this cache never writes`;
    if (!SHA_RE.test(String(f.sha256))) return `its record.json gives ${f.name} no valid sha256`;
    if (!Number.isInteger(f.width) || !Number.isInteger(f.height) || f.width <= 0 || f.height <= 0) return `its record.json gives ${f.name} no valid size`;
  }
  return record;
}

/** Why `bytes` are not the file the record names, or undefined when they are. */
export function fileProblem(file: CachedFile, bytes: Uint8Array): string | undefined {
  if (sha256Hex(bytes) !== file.sha256) return `${file.name} does not match its sha256 in the record (damaged, truncated or another entry's file)`;
  return undefined;
}
