import { link, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetroSpritesError } from '../errors.js';
import { ensureRealFolder, readRegular } from '../fs/untrusted-fs.js';

interface LockOwner {
  pid: number;
  host: string;
  /** ms since epoch when taken. */
  at: number;
}

export interface KeyLockOptions {
  /** How often a waiter looks again. */
  pollMs?: number;
  /** A lock older than this is stale even if its holder seems alive (a hung process, another host). */
  staleMs?: number;
  signal?: AbortSignal;
}

const HOST = hostname();

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock per cache key shared by every process using the same cache folder (vite dev and
 * vite build, two CI jobs), so no key is ever paid for twice. The lock is a file created with
 * O_EXCL; a lock whose holder died (same host, pid gone) or that is older than `staleMs` is taken
 * over. Takeover itself is guarded by an exclusive rename so two waiters cannot both break it.
 */
export class KeyLocks {
  readonly dir: string;
  private readonly pollMs: number;
  private readonly staleMs: number;

  constructor(dir: string, opts: { pollMs?: number; staleMs?: number } = {}) {
    this.dir = dir;
    this.pollMs = opts.pollMs ?? 50;
    this.staleMs = opts.staleMs ?? 15 * 60_000;
  }

  private path(key: string): string {
    return join(this.dir, `${key}.lock`);
  }

  /** Takes the lock for `key`, waiting while another live process holds it. */
  async acquire(key: string, opts: KeyLockOptions = {}): Promise<() => Promise<void>> {
    await mkdir(dirname(this.dir), { recursive: true });
    await ensureRealFolder(this.dir);
    const path = this.path(key);
    const pollMs = opts.pollMs ?? this.pollMs;
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new RetroSpritesError('aborted', 'aborted');
      if (await this.tryCreate(path)) {
        return async () => {
          await rm(path, { force: true });
        };
      }
      if (await this.breakIfStale(path, opts.staleMs ?? this.staleMs)) continue;
      await sleep(pollMs);
    }
  }

  /**
   * Creates the lock with its owner already in it: the owner is written to a file of our own, then
   * hard-linked under the lock's name, which fails if the lock exists. A lock created empty and
   * filled after (open 'wx', then write) can stay empty for seconds on a loaded machine, whose disk
   * queue is full of other writes' fsyncs, and a waiter would then take it for a dead one.
   */
  private async tryCreate(path: string): Promise<boolean> {
    const owner: LockOwner = { pid: process.pid, host: HOST, at: Date.now() };
    const mine = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.new`;
    const handle = await open(mine, 'wx');
    try {
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    try {
      await link(mine, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return false;
    } finally {
      await rm(mine, { force: true });
    }
  }

  /** Removes the lock at `path` if its holder is gone; true when it did (or the lock vanished). */
  private async breakIfStale(path: string, staleMs: number): Promise<boolean> {
    // A lock file is a few bytes of JSON; whatever else lies under its name (a link, a FIFO, a
    // huge file) is junk with an age, not something to read.
    const read = await readRegular(path, 4096);
    if ('missing' in read) return true;
    const text = 'bytes' in read ? read.bytes.toString('utf8') : '';
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // Created but not yet written (the holder is between open and write), or the holder died
      // right there: only the file's age can tell.
      owner = undefined;
    }
    let stale: boolean;
    if (owner && typeof owner.pid === 'number') {
      const dead = owner.host === HOST && !isProcessAlive(owner.pid);
      stale = dead || Date.now() - owner.at > staleMs;
    } else {
      const age = await lstat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      stale = age > 2_000;
    }
    if (!stale) return false;
    // Rename is atomic: of all the waiters that saw this stale lock, exactly one moves it away.
    const graveyard = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await rename(path, graveyard);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw err;
    }
    // We may have moved a fresh lock that replaced the stale one between our read and rename:
    // if so, put it back (link, unlike rename, never overwrites a lock taken meanwhile) and wait.
    const again = await readRegular(graveyard, 4096);
    const moved = 'bytes' in again ? again.bytes.toString('utf8') : '';
    if (moved !== text) {
      await link(graveyard, path).catch(() => undefined);
      await rm(graveyard, { force: true });
      return false;
    }
    await rm(graveyard, { force: true });
    return true;
  }
}
