import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { readRegular } from './untrusted-fs.js';

/**
 * Derived data lies in the cache folder (`.pages/`, `.atlases/`, `.builds/`), which a pull request
 * can fill: a stored file must prove it is one this machine wrote. Checking it against its inputs
 * instead (decoding a page, rebuilding an atlas) costs most of what keeping it saves, so each file
 * carries an HMAC of its name and bytes under a key that never leaves this machine
 * (`~/.cache/retro-sprites/page-store.key`, mode 0600). Without that key no one can make a file we
 * accept; when the key cannot be kept, it lives in memory and files are reused only within the
 * process.
 */
const SEAL_BYTES = 32;
let secret: Promise<Buffer> | undefined;

function keyPath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'retro-sprites', 'page-store.key');
}

async function loadSecret(): Promise<Buffer> {
  const path = keyPath();
  for (let attempt = 0; attempt < 2; attempt++) {
    const read = await readRegular(path, 1024).catch(() => undefined);
    if (read && 'bytes' in read && read.bytes.length === SEAL_BYTES) return read.bytes;
    if (read && !('missing' in read)) break;
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const fresh = randomBytes(SEAL_BYTES);
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(fresh);
      } finally {
        await handle.close();
      }
      return fresh;
    } catch {
      // Another process made it first (read it again), or the home folder is not writable.
    }
  }
  return randomBytes(SEAL_BYTES);
}

function mac(key: Buffer, name: string, bytes: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${name}\0`).update(bytes).digest();
}

/** The bytes followed by their seal: one file, so a reader sees both or neither. */
export async function seal(name: string, bytes: Uint8Array): Promise<Buffer> {
  return Buffer.concat([bytes, mac(await (secret ??= loadSecret()), name, bytes)]);
}

/** The bytes of a sealed file, or undefined when the seal is not ours for this name. */
export async function openSealed(name: string, file: Buffer): Promise<Uint8Array | undefined> {
  if (file.length <= SEAL_BYTES) return undefined;
  const bytes = file.subarray(0, file.length - SEAL_BYTES);
  const sealed = file.subarray(file.length - SEAL_BYTES);
  const expected = mac(await (secret ??= loadSecret()), name, bytes);
  return timingSafeEqual(sealed, expected) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
}
