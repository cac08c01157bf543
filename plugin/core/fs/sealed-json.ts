import { basename } from 'node:path';
import { atomicWrite } from './atomic-write.js';
import { openSealed, seal } from './seal.js';
import { readRegularSync } from './untrusted-fs.js';

/**
 * One derived JSON value kept in a local folder of the cache (`.parses/`, `.atlases/`): a first
 * line naming what it is (its format and the key it was written for), then the body, the whole
 * file sealed (seal.ts). A reader gets the body only when the seal is this machine's for this file
 * name and the header names the format and key it asks for; anything else is a miss, never an
 * error. The seal covers every byte, so the body carries no hash of its own (files written with
 * one still read: the header's other fields are not looked at).
 */
export interface SealedHeader {
  format: number;
  key: string;
}

/** The parsed body, or undefined for a missing, foreign, stale or damaged file. */
export async function readSealedJson(path: string, want: SealedHeader, maxBytes: number): Promise<unknown> {
  // On this thread: a derived file is local and read whole, and four pool round trips (open, stat,
  // read, close) took longer than the read, one file after another while a build loads.
  const read = readRegularSync(path, maxBytes);
  const opened = 'bytes' in read ? await openSealed(basename(path), read.bytes) : undefined;
  if (!opened) return undefined;
  const text = Buffer.from(opened.buffer, opened.byteOffset, opened.byteLength).toString('utf8');
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  try {
    const header: unknown = JSON.parse(text.slice(0, nl));
    const body = text.slice(nl + 1);
    if (!isRecord(header) || header.format !== want.format || header.key !== want.key) return undefined;
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Writes `body` (JSON text) under its header, sealed, atomically. The folder must exist. */
export async function writeSealedJson(path: string, header: SealedHeader, body: string): Promise<void> {
  const bytes = Buffer.from(`${JSON.stringify({ format: header.format, key: header.key })}\n${body}`);
  await atomicWrite(path, await seal(basename(path), bytes));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
