import { lstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Checks that thousands of cache entries' folders still have the stat signatures stored for them
 * (fs/stat-signature.ts), on two threads. It is the one step of a kept build that grows with the
 * game: a `lstat` per entry, a few µs each, 80 ms at 20 000 entries on one core. A helper thread
 * started while Vite is still loading (`startFolderCheck`) takes chunks of the list from a shared
 * counter while the calling thread reads and verifies the kept files, then the caller takes what
 * is left. A helper that is not up yet, or cannot start, costs nothing but its start: the caller
 * does every chunk itself.
 */

const KEY_CHARS = 64;
/** Entries a thread takes at a time: small enough that neither waits long for the other's last. */
const CHUNK = 256;
/** How long the caller waits for the helper's last chunk before it calls the check failed (a miss). */
const HELPER_TIMEOUT_MS = 2000;
const NEXT = 0;
const FAILED = 1;
const DONE = 2;

/**
 * Compares entries [start, end) of `keys` (64-character keys, end to end) under `root`/<key[0..2]>/
 * with `sigs` (kind, ino, mtimeMs, ctimeMs per entry); true when every one is the same folder.
 * Self-contained (its only input is its arguments): the helper thread runs this very function from
 * its source text.
 */
function sameRange(lstat: typeof lstatSync, root: string, keys: string, sigs: Float64Array, start: number, end: number): boolean {
  const noThrow = { throwIfNoEntry: false } as const;
  for (let i = start; i < end; i++) {
    const key = keys.slice(i * 64, i * 64 + 64);
    let st;
    try {
      st = lstat(`${root}/${key.slice(0, 2)}/${key}`, noThrow);
    } catch {
      return false;
    }
    const at = 4 * i;
    if (!st?.isDirectory() || st.ino !== sigs[at + 1] || st.mtimeMs !== sigs[at + 2] || st.ctimeMs !== sigs[at + 3]) return false;
  }
  return true;
}

interface Job {
  root: string;
  keys: string;
  sigs: Float64Array;
  control: Int32Array;
}

/**
 * Takes chunks until none are left or one failed. Its source runs in the helper too: it names
 * constants and its arguments only (an import would be another name there).
 */
function work(job: Job, same: (start: number, end: number) => boolean): void {
  const n = job.keys.length / KEY_CHARS;
  for (;;) {
    const start = Atomics.add(job.control, NEXT, CHUNK);
    if (start >= n || Atomics.load(job.control, FAILED)) return;
    const end = Math.min(n, start + CHUNK);
    if (!same(start, end)) Atomics.store(job.control, FAILED, 1);
    Atomics.add(job.control, DONE, end - start);
    Atomics.notify(job.control, DONE);
  }
}

const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { lstatSync } = require('node:fs');
const sameRange = ${sameRange.toString()};
const KEY_CHARS = ${KEY_CHARS}, CHUNK = ${CHUNK}, NEXT = ${NEXT}, FAILED = ${FAILED}, DONE = ${DONE};
const work = ${work.toString()};
parentPort.on('message', (job) => work(job, (start, end) => sameRange(lstatSync, job.root, job.keys, job.sigs, start, end)));
`;

export interface FolderCheck {
  /**
   * Starts comparing; `finish()` returns whether every entry is the same folder. Between the two
   * the caller is free to do other work while the helper thread gets on with it.
   */
  begin(root: string, keys: string, sigs: Float64Array): { finish(): boolean };
  /** Ends the helper thread (a check is for one build). */
  close(): void;
}

/** A check with a helper thread, started now so it is up by the time there is work for it. */
export function startFolderCheck(): FolderCheck {
  let helper: Worker | undefined;
  try {
    helper = new Worker(HELPER_SOURCE, { eval: true });
    // The helper never keeps the process alive, and an error in it only means no help.
    helper.unref();
    helper.on('error', () => (helper = undefined));
  } catch {
    helper = undefined;
  }
  return {
    begin(root, keys, stored) {
      const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
      let sigs = stored;
      if (!(stored.buffer instanceof SharedArrayBuffer)) {
        sigs = new Float64Array(new SharedArrayBuffer(stored.byteLength));
        sigs.set(stored);
      }
      const job: Job = { root, keys, sigs, control };
      const n = keys.length / KEY_CHARS;
      const helped = helper !== undefined;
      helper?.postMessage(job);
      return {
        finish() {
          work(job, (start, end) => sameRange(lstatSync, root, keys, sigs, start, end));
          if (!helped) return !Atomics.load(control, FAILED);
          // The helper may still be on its last chunk.
          const deadline = Date.now() + HELPER_TIMEOUT_MS;
          for (;;) {
            const done = Atomics.load(control, DONE);
            if (Atomics.load(control, FAILED)) return false;
            if (done >= n) return true;
            if (Date.now() > deadline) return false;
            Atomics.wait(control, DONE, done, 50);
          }
        },
      };
    },
    close() {
      void helper?.terminate();
      helper = undefined;
    },
  };
}

/** The same check on the calling thread alone. */
export const inlineFolderCheck: FolderCheck = {
  begin(root, keys, sigs) {
    return { finish: () => sameRange(lstatSync, root, keys, sigs, 0, keys.length / KEY_CHARS) };
  },
  close() {},
};
