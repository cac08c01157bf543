import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { readRegular } from '../fs/untrusted-fs.js';

/**
 * `.pages/` lies in the cache folder, which a pull request can fill: a stored page must prove it
 * is one we wrote for these pixels. Decoding it to compare the pixels costs most of what the store
 * saves, so each page carries an HMAC of its name and bytes under a key that never leaves this
 * machine (`~/.cache/retro-sprites/page-store.key`, mode 0600). Without that key no one can make a
 * page we accept; when the key cannot be kept, it lives in memory and pages are reused only within
 * the process.
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

function mac(key: Buffer, name: string, png: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${name}\0`).update(png).digest();
}

/** The PNG followed by its seal: one file, so a reader sees both or neither. */
export async function sealPage(name: string, png: Uint8Array): Promise<Buffer> {
  return Buffer.concat([png, mac(await (secret ??= loadSecret()), name, png)]);
}

/** The PNG of a sealed file, or undefined when the seal is not ours for this name. */
export async function openSealedPage(name: string, file: Buffer): Promise<Uint8Array | undefined> {
  if (file.length <= SEAL_BYTES) return undefined;
  const png = file.subarray(0, file.length - SEAL_BYTES);
  const seal = file.subarray(file.length - SEAL_BYTES);
  const expected = mac(await (secret ??= loadSecret()), name, png);
  return timingSafeEqual(seal, expected) ? new Uint8Array(png.buffer, png.byteOffset, png.byteLength) : undefined;
}
