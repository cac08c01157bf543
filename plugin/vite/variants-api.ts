import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatCost, type CostTotals } from '../core/generate/cost.js';
import { runGeneration } from '../core/generate/run.js';
import { readBody } from '../core/net/read-body.js';
import { runOptionsOf } from '../core/project.js';
import type { KeyedRequest } from '../core/request.js';
import { reseedSprite } from '../core/reseed.js';
import type { SpriteSession } from '../core/session.js';
import { readVariants, writeVariants } from '../core/variants/registry.js';
import { variantRequest, variantSeeds } from '../core/variants/seeds.js';

const MAX_BODY_BYTES = 4 * 1024;
const MAX_VARIANTS = 16;

interface VariantState {
  seed: number;
  key: string;
  status: 'pending' | 'done' | 'failed';
  cost?: string;
  error?: string;
}

type Runs = Map<string, { variants: VariantState[]; bytes: Map<string, Uint8Array> }>;
/** The variants asked for in each dev server (its session), by `atlas/sprite`: what the page polls. */
const runsBySession = new WeakMap<SpriteSession, Runs>();

function json(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(JSON.stringify(value));
}

const fail = (res: ServerResponse, status: number, message: string) => json(res, status, { error: `retro-sprites: ${message}` });

/**
 * The dev page's "Variants": `api/variants/estimate` (the price first), `api/variants/start`
 * (each variant a normal cached request with its own seed, generated in the background),
 * `api/variants/state` (what arrived), `api/variants/image/<key>` and `api/variants/keep` (the
 * seed written into the manifest; the watcher then swaps the art, found in the cache). Answers
 * whether it handled the request.
 */
export async function handleVariants(rest: string, req: IncomingMessage, res: ServerResponse, session: SpriteSession): Promise<boolean> {
  if (!rest.startsWith('api/variants/')) return false;
  const runs: Runs = runsBySession.get(session) ?? new Map();
  runsBySession.set(session, runs);
  const action = rest.slice('api/variants/'.length);
  const image = /^image\/([0-9a-f]{64})$/.exec(action);
  if (image && req.method === 'GET') {
    const bytes = [...runs.values()].map((r) => r.bytes.get(image[1]!)).find(Boolean);
    if (!bytes) return fail(res, 404, 'no such variant yet'), true;
    res.statusCode = 200;
    res.setHeader('content-type', 'image/png');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(bytes);
    return true;
  }
  if (req.method !== 'POST') return fail(res, 405, 'POST only'), true;
  let body: { sprite?: unknown; count?: unknown; seed?: unknown };
  try {
    body = JSON.parse(await readBody(req, MAX_BODY_BYTES)) as typeof body;
  } catch (err) {
    return fail(res, 400, `bad request: ${(err as Error).message}`), true;
  }
  if (!body || typeof body.sprite !== 'string') return fail(res, 400, 'bad request: expected {"sprite": "atlas/name", ...}'), true;
  const state = session.spriteStates().find((s) => `${s.request.atlas}/${s.request.sprite}` === body.sprite);
  if (!state) return fail(res, 404, `no sprite ${body.sprite}`), true;
  const base = state.request;
  const count = body.count === undefined ? 4 : body.count;
  if (action !== 'keep' && action !== 'state' && !(Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_VARIANTS)) {
    return fail(res, 400, `count must be a whole number from 1 to ${MAX_VARIANTS}`), true;
  }
  const project = session.project;
  const variants = (): KeyedRequest[] => variantSeeds(base, count as number).map((seed) => variantRequest(base, seed, project.provider));

  switch (action) {
    case 'estimate': {
      const list = variants();
      const plan = await runGeneration(list, { ...runOptionsOf(project), dryRun: true });
      const estimate = plan.summary.estimate;
      return json(res, 200, { seeds: list.map((v) => v.payload.seed), cached: plan.summary.cached, estimate: estimate ? formatCost(estimate) : 'unknown' }), true;
    }
    case 'start': {
      const list = variants();
      const run = { variants: list.map((v): VariantState => ({ seed: v.payload.seed!, key: v.key, status: 'pending' })), bytes: new Map<string, Uint8Array>() };
      runs.set(body.sprite, run);
      const notes = await readVariants(project.cacheDir);
      for (const v of list) notes.set(v.key, { atlas: base.atlas, sprite: base.sprite, seed: v.payload.seed! });
      await writeVariants(project.cacheDir, notes);
      const arrived = (key: string, entry: { images: { bytes: Uint8Array }[] }, cost: CostTotals | undefined) => {
        const s = run.variants.find((v) => v.key === key)!;
        run.bytes.set(key, entry.images[0]!.bytes);
        Object.assign(s, { status: 'done', cost: cost ? formatCost(cost) : 'cached, free' });
      };
      void runGeneration(list, {
        ...runOptionsOf(project),
        reporter: {
          done: (r, info) => arrived(r.key, info.entry, info.cost),
          failed: (r, e) => Object.assign(run.variants.find((v) => v.key === r.key)!, { status: 'failed', error: e.message }),
        },
      }).then((result) => {
        for (const [key, outcome] of result.outcomes) if (outcome.status === 'hit') arrived(key, outcome.entry, undefined);
      }, (err: Error) => {
        for (const v of run.variants) if (v.status === 'pending') Object.assign(v, { status: 'failed', error: err.message });
      });
      return json(res, 202, { variants: run.variants }), true;
    }
    case 'state':
      return json(res, 200, { variants: runs.get(body.sprite)?.variants ?? [] }), true;
    case 'keep': {
      const run = runs.get(body.sprite);
      const chosen = run?.variants.find((v) => v.seed === body.seed && v.status === 'done');
      if (!chosen) return fail(res, 400, 'keep one of the variants that arrived'), true;
      // The manifest edit reaches the watcher like any other; the art is in the cache already.
      await reseedSprite(base, chosen.seed);
      return json(res, 200, { seed: chosen.seed }), true;
    }
    default:
      return fail(res, 404, `nothing at api/variants/${action}`), true;
  }
}
