import { close as fsClose, closeSync, constants, fstat, fstatSync, lstatSync, open as fsOpen, openSync, read as fsRead, readSync, type Stats } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { RetroSpritesError } from '../errors.js';

/**
 * The cache folder is committed, so a pull request can put anything in it: links to /dev/zero or
 * to ~/.bashrc, FIFOs, folders where files belong, records that name `../../etc/passwd`. Every
 * read of it goes through `readRegular` (no links followed, regular files only, size checked on the
 * opened handle before a byte is read) and every folder written into is checked to be a real one.
 */

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A file name inside an entry: one plain component (no `/`, `\`, `..`, leading dot, or absolute path). */
export function isPlainName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name) && !name.includes('..');
}

export type ReadOutcome = { bytes: Buffer } | { missing: true } | { problem: string };

/**
 * Reads a regular file of at most `maxBytes`. A link is refused (O_NOFOLLOW), and so is anything
 * that is not a regular file; O_NONBLOCK keeps a FIFO from hanging the open. The size comes from
 * `fstat` on the opened handle, so the file checked is the file read.
 */
export async function readRegular(path: string, maxBytes: number): Promise<ReadOutcome> {
  let fd: number;
  try {
    fd = await call<number>((cb) => fsOpen(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, cb));
  } catch (err) {
    return openRefusal(err);
  }
  try {
    const st = await call<Stats>((cb) => fstat(fd, cb));
    const refused = statRefusal(st, maxBytes);
    if (refused) return refused;
    const bytes = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = await call<number>((cb) => fsRead(fd, bytes, got, st.size - got, got, cb));
      if (n === 0) return { problem: 'shrank while it was read' };
      got += n;
    }
    const extra = await call<number>((cb) => fsRead(fd, Buffer.alloc(1), 0, 1, got, cb));
    if (extra !== 0) return { problem: 'grew while it was read' };
    return { bytes };
  } catch (err) {
    return { problem: `cannot be read (${errorCode(err)})` };
  } finally {
    fsClose(fd, () => undefined);
  }
}

const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** What an open that failed says of the path. */
function openRefusal(err: unknown): ReadOutcome {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { missing: true };
  if (code === 'ELOOP') return { problem: 'is a symbolic link' };
  if (code === 'ENOTDIR') return { problem: 'lies under something that is not a folder' };
  return { problem: `cannot be opened (${errorCode(err)})` };
}

/** Why the opened file may not be read, if it may not: not a regular file, or too large. */
function statRefusal(st: Stats, maxBytes: number): ReadOutcome | undefined {
  if (st.isDirectory()) return { problem: 'is a folder, not a file' };
  if (!st.isFile()) return { problem: 'is not a regular file (a device, FIFO or socket)' };
  if (st.size > maxBytes) return { problem: `is ${st.size} bytes, more than the ${maxBytes} it may hold` };
  return undefined;
}

/**
 * One callback-style fs call as a promise. The callback API, not FileHandle: a build reads tens
 * of thousands of small cache files, and FileHandle's promises cost three times as much per file.
 */
function call<T>(start: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

/**
 * `readRegular` without the event loop, for a reader that has nothing else to do meanwhile and
 * many files to read (a kept build checks dozens): the same checks, a fraction of the time.
 */
export function readRegularSync(path: string, maxBytes: number): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    return openRefusal(err);
  }
  try {
    const st = fstatSync(fd);
    const refused = statRefusal(st, maxBytes);
    if (refused) return refused;
    const bytes = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, bytes, got, st.size - got, got);
      if (n === 0) return { problem: 'shrank while it was read' };
      got += n;
    }
    if (readSync(fd, Buffer.alloc(1), 0, 1, got) !== 0) return { problem: 'grew while it was read' };
    return { bytes };
  } catch (err) {
    return { problem: `cannot be read (${errorCode(err)})` };
  } finally {
    closeSync(fd);
  }
}

export type Kind = 'missing' | 'folder' | 'link' | 'file' | 'other';

/** What is at `path`, without following a link. */
export async function kindOf(path: string): Promise<Kind> {
  try {
    return kindOfStats(await lstat(path));
  } catch (err) {
    return missingOr(err);
  }
}

/** `kindOf` without the event loop. */
export function kindOfSync(path: string): Kind {
  try {
    return kindOfStats(lstatSync(path));
  } catch (err) {
    return missingOr(err);
  }
}

function kindOfStats(st: Stats): Kind {
  if (st.isSymbolicLink()) return 'link';
  if (st.isDirectory()) return 'folder';
  return st.isFile() ? 'file' : 'other';
}

function missingOr(err: unknown): 'missing' {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  throw err;
}

/**
 * Makes `path` a folder if it is missing, and makes sure it is a real one: a link planted in its
 * place (`.locks -> ~`) is refused, never written through.
 */
export async function ensureRealFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const kind = await kindOf(path);
  if (kind !== 'folder') {
    throw new RetroSpritesError(
      'cache-layout',
      `${path} is ${kind === 'link' ? 'a symbolic link' : `a ${kind}`}, not a folder; retro-sprites never writes through links or over files it did not make. Remove it and run again`,
    );
  }
}
