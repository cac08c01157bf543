import { stat } from 'node:fs/promises';
import type { LoadedPlan } from '../core/project.js';
import type { Snapshot, SpriteSession } from '../core/session.js';

/** A read of the manifests started ahead of the quiet window, and the files' state just before it. */
export interface Ahead {
  /** Every file the last known plan read (and the changed one), as it stood before this read began. */
  stamps: Map<string, string>;
  plan: Promise<LoadedPlan>;
}

/**
 * Reads and plans the manifests as soon as a change is seen, so that work overlaps the dev server's
 * quiet window; only paying for art waits for the window. One read at a time, and at most one queued
 * behind it (a burst of events shares the queued one), so the queued read starts after the latest
 * event.
 *
 * Vite's watcher drops a file's change events for 50 ms after it reported one (chokidar's throttle):
 * a second save soon after the first brings no event. So before a read-ahead plan is used, the files
 * it read are compared with their state from before the read; if any changed, or the plan read a file
 * nobody stamped, the manifests are read again.
 */
export class ReadAhead {
  private queued?: Promise<Ahead>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: SpriteSession) {}

  /** Starts a read (or joins the queued one); `changed` is the file the watcher named. */
  start(changed?: string): Promise<Ahead> {
    if (this.queued) return this.queued;
    const read = this.chain.then(async (): Promise<Ahead> => {
      this.queued = undefined;
      const files = filesOf(this.session.current);
      if (changed) files.add(changed);
      const stamps = await stampAll(files);
      const plan = this.session.loadPlan();
      // A superseded read's failure (the half-written file) is nobody's news; whoever uses it reports it.
      await plan.catch(() => undefined);
      return { stamps, plan };
    });
    this.queued = read;
    this.chain = read.catch(() => undefined);
    return read;
  }

  /** The plan for a refresh at the end of the quiet window: the read-ahead one while it still holds. */
  async settle(ahead: Promise<Ahead>): Promise<LoadedPlan> {
    const { stamps, plan } = await ahead;
    const loaded = await plan.catch(() => undefined);
    if (loaded) {
      for (const file of filesOfPlan(loaded)) if (!stamps.has(file)) return this.session.loadPlan();
    }
    const now = await stampAll(stamps.keys());
    for (const [file, before] of stamps) if (now.get(file) !== before) return this.session.loadPlan();
    return plan;
  }
}

function filesOfPlan(loaded: Pick<Snapshot, 'plan' | 'requests'>): Set<string> {
  const files = new Set(loaded.plan.files);
  for (const r of loaded.requests) for (const d of r.dependencies) files.add(d);
  return files;
}

function filesOf(current: Snapshot | undefined): Set<string> {
  return current ? filesOfPlan(current) : new Set();
}

/** What a write changes: size, times, inode (an editor's save may replace the file). */
async function stampAll(files: Iterable<string>): Promise<Map<string, string>> {
  const list = [...files];
  const stamps = await Promise.all(
    list.map((f) => stat(f).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`, () => 'missing')),
  );
  return new Map(list.map((f, i) => [f, stamps[i]!]));
}
