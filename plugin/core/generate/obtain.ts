import type { CacheEntry, CacheStore } from '../cache/store.js';
import { sha256Hex } from '../cache/hash.js';
import { remoteOf } from '../cache/remote/remote-store.js';
import type { ApiPayload } from '../payload.js';
import type { Cost, Provider } from '../providers/provider.js';
import type { KeyedRequest } from '../request.js';
import { sameArt } from './same-art.js';
import { checkAnswerLayout } from './answer-layout.js';
import { keepPaid } from './keep-paid.js';

/** One key's art, from the cache (another process wrote it meanwhile) or paid for now. */
export interface Obtained {
  entry: CacheEntry;
  generated: boolean;
  cost?: Cost;
}

/**
 * Identical keys in flight share one promise, whichever run started them: a project keeps one of
 * these, so the dev server's overlapping refreshes never pay twice for one sprite.
 */
export type InFlight = Map<string, Promise<Obtained>>;

export interface ObtainContext {
  store: CacheStore;
  provider: Provider;
  inflight: InFlight;
  /** Generate again even though cached; the old entry goes once the new art is in hand. */
  refresh: boolean;
  /** The run was interrupted: a provider that can resume later (v2 tasks) stops waiting. */
  interrupt?: AbortSignal;
  /** The answer is in hand (at this cost) and its saving begins: the run may start its next request meanwhile. */
  onAnswer?: (cost: Cost | undefined) => void;
  /** The cache folder refused the answer once (it is being tried again). */
  onSaveRetry?: () => void;
}

export function obtain(r: KeyedRequest, ctx: ObtainContext): Promise<Obtained> {
  const id = `${ctx.store.dir}\0${r.key}`;
  let p = ctx.inflight.get(id);
  if (!p) {
    p = obtainLocked(r, ctx).finally(() => ctx.inflight.delete(id));
    ctx.inflight.set(id, p);
  }
  return p;
}

/** Under the key's cross-process lock: look again (another process may have just written it), then pay. */
async function obtainLocked(r: KeyedRequest, ctx: ObtainContext): Promise<Obtained> {
  const { store, provider } = ctx;
  const release = await store.locks.acquire(r.key);
  try {
    const again = await store.lookup(r.key);
    if (!ctx.refresh && again.status === 'hit') return { entry: again.entry, generated: false };
    // A refresh asks for new art: its intent names the art it replaces, so it is not answered with the old task.
    const replaced = ctx.refresh && again.status === 'hit' ? again.entry.record.files[0]?.sha256 : undefined;
    // No location here: a failure is reported with the sprite's place by the run itself, once.
    let cost: Cost | undefined;
    const pay = async (): Promise<CacheEntry> => {
      const result = await provider.generate(r.payload, {
        key: r.key,
        journalDir: store.pendingDir,
        ...(ctx.interrupt ? { interrupt: ctx.interrupt } : {}),
        ...(ctx.refresh ? { intent: `refresh:${replaced ?? 'none'}` } : {}),
      });
      checkAnswerLayout(r, result.images);
      cost = result.cost;
      ctx.onAnswer?.(cost);
      if (ctx.refresh) {
        const old = await store.lookup(r.key);
        if (old.status === 'hit' && sameArt(old.entry, result)) return old.entry;
        // The old art goes only once the new art is in hand: a failed refresh keeps what was paid for.
        await store.remove(r.key);
      }
      // Paid for: written to the cache, or to a rescue folder (UnsavedAnswerError says where).
      return keepPaid(store, r.key, result, {
        provider: { id: provider.id, version: provider.version },
        request: recordableRequest(r.payload),
        requestedBy: `${r.atlas}/${r.sprite}`,
      }, ctx.onSaveRetry);
    };
    const remote = remoteOf(store);
    if (!remote) return { entry: await pay(), generated: true, cost };
    // A free provider needs no lease: paying twice costs nothing.
    const got = await remote.obtain(r.key, pay, store, { lease: !ctx.refresh && provider.id !== 'placeholder' });
    return got.generated ? { entry: got.entry, generated: true, cost } : { entry: got.entry, generated: false };
  } finally {
    // A folder that broke under us must not turn a saved (or rescued) answer into a lost one.
    await release().catch(() => undefined);
  }
}

/** The payload as a cache record keeps it: referenced images reduced to their sha256. */
export function recordableRequest(payload: ApiPayload): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'check_cost' || v === undefined) continue;
    const digest = (b64: string) => `sha256:${sha256Hex(Buffer.from(b64, 'base64'))}`;
    if (k === 'reference_images' && Array.isArray(v)) out[k] = v.map((b) => digest(String(b)));
    else out[k] = (k === 'input_image' || k === 'input_palette' || k === 'extra_input_image') && typeof v === 'string' ? digest(v) : v;
  }
  return out;
}
