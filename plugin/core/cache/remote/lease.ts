import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { RemoteError, type RemoteBackend, type RemoteObject } from './backend.js';

export interface LeaseOptions {
  /** A lease older than this is stale (its holder died or hung): longer than one generation with its retries. */
  ttlMs?: number;
  /** How often a waiter looks for the holder's upload. */
  pollMs?: number;
  /** Best-effort mode: how long to wait after writing a lease before reading back who won. */
  settleMs?: number;
}

/**
 * - `exclusive`: the store honours conditional create (S3 `If-None-Match: *`): of two machines, one
 *   creates the lease, the other is told it exists. A shared miss is paid once.
 * - `best-effort`: no conditional create (Turborepo's API; S3-compatible stores that ignore the
 *   header): look, write, wait, read back. Two machines both win only when their writes land within
 *   `settleMs` of each other's read; see the README for the measured figure.
 */
export type LeaseMode = 'exclusive' | 'best-effort';

interface LeaseBody {
  owner: string;
  host: string;
  pid: number;
  at: number;
  ttlMs: number;
  released?: boolean;
}

/** Leases of a remote cache: "this machine is paying for this key; wait for its upload". */
export class Leases {
  readonly ttlMs: number;
  readonly pollMs: number;
  private readonly settleMs: number;
  private readonly owner = randomBytes(12).toString('hex');
  private modePromise?: Promise<LeaseMode>;

  constructor(
    private readonly backend: RemoteBackend,
    opts: LeaseOptions = {},
    private readonly log?: (line: string) => void,
  ) {
    this.ttlMs = opts.ttlMs ?? 6 * 60_000;
    this.pollMs = opts.pollMs ?? 200;
    this.settleMs = opts.settleMs ?? 150;
  }

  /**
   * Whether the store really refuses a second conditional create: asked once, by creating a probe
   * object twice. Many S3-compatible servers accept the header and ignore it.
   */
  mode(): Promise<LeaseMode> {
    this.modePromise ??= (async (): Promise<LeaseMode> => {
      const { create, remove } = this.backend;
      if (!create || !remove) return 'best-effort';
      const probe: RemoteObject = { kind: 'lease', key: `probe-${this.owner}` };
      const bytes = Buffer.from('{"probe":true}');
      let second: string;
      try {
        await create.call(this.backend, probe, bytes);
        second = await create.call(this.backend, probe, bytes);
      } catch (err) {
        if (err instanceof RemoteError && err.kind === 'refused') second = 'created';
        else throw err;
      } finally {
        await remove.call(this.backend, probe).catch(() => undefined);
      }
      if (second === 'exists') return 'exclusive';
      this.log?.(
        `remote cache ${this.backend.where} does not honour conditional create (If-None-Match: *); ` +
          'leases are best-effort, so two machines missing the same sprite at the same moment may both pay',
      );
      return 'best-effort';
    })();
    this.modePromise.catch(() => (this.modePromise = undefined));
    return this.modePromise;
  }

  private body(): Buffer {
    const b: LeaseBody = { owner: this.owner, host: hostname(), pid: process.pid, at: Date.now(), ttlMs: this.ttlMs };
    return Buffer.from(JSON.stringify(b));
  }

  private async read(key: string): Promise<LeaseBody | undefined | 'unreadable'> {
    const bytes = await this.backend.get({ kind: 'lease', key }, 64 * 1024);
    if (!bytes) return undefined;
    try {
      const b = JSON.parse(Buffer.from(bytes).toString('utf8')) as LeaseBody;
      return typeof b.owner === 'string' && typeof b.at === 'number' ? b : 'unreadable';
    } catch {
      // Half written (a store whose writes are not atomic) or garbage: only its age could tell.
      return 'unreadable';
    }
  }

  /**
   * Whether another machine holds the lease now. An unreadable lease counts as free: a store
   * without delete (Turborepo) could otherwise keep a garbage lease, and everyone waiting, forever;
   * at worst a lease read mid-write is taken over and a sprite is paid twice.
   */
  private live(b: LeaseBody | undefined | 'unreadable'): boolean {
    if (b === undefined || b === 'unreadable') return false;
    return !b.released && b.owner !== this.owner && Date.now() - b.at < Math.min(b.ttlMs || this.ttlMs, this.ttlMs);
  }

  /** Takes the key's lease, or says another machine holds it. */
  async take(key: string): Promise<'held' | 'busy'> {
    const object: RemoteObject = { kind: 'lease', key };
    if ((await this.mode()) === 'exclusive') {
      if ((await this.backend.create!(object, this.body())) === 'created') return 'held';
      const current = await this.read(key);
      if (this.live(current)) return 'busy';
      // Released without a delete, or stale: clear it, then race for it again like everyone else.
      if (current !== undefined) await this.backend.remove!(object);
      return (await this.backend.create!(object, this.body())) === 'created' ? 'held' : 'busy';
    }
    if (this.live(await this.read(key))) return 'busy';
    await this.backend.put(object, this.body());
    await sleep(this.settleMs);
    const after = await this.read(key);
    return after !== undefined && after !== 'unreadable' && after.owner === this.owner ? 'held' : 'busy';
  }

  async release(key: string): Promise<void> {
    const object: RemoteObject = { kind: 'lease', key };
    const current = await this.read(key);
    if (current === undefined || current === 'unreadable' || current.owner !== this.owner) return;
    if (this.backend.remove) await this.backend.remove(object);
    else await this.backend.put(object, Buffer.from(JSON.stringify({ ...current, released: true })));
  }
}
