import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { resolveCacheDir } from './cache/folder.js';
import { CacheStore } from './cache/store.js';
import { cacheKey } from './cache-key.js';
import { openRemoteCache } from './cache/remote/open.js';
import { RemoteBackedStore } from './cache/remote/remote-store.js';
import type { RemoteCache, RemoteCacheOptions } from './cache/remote/remote-cache.js';
import { loadManifests, type ManifestPlan } from './manifest/index.js';
import type { Provider } from './providers/provider.js';
import { PriceBook } from './generate/estimate.js';
import type { InFlight } from './generate/obtain.js';
import type { RunOptions } from './generate/run.js';
import { LastParses } from './manifest/last-parses.js';
import type { PayloadKeys } from './manifest/kept-requests.js';
import type { ParseCache } from './manifest/parse-cache.js';
import { selectProvider, type ApiTuning, type StandIn } from './providers/select.js';
import type { KeyedRequest } from './request.js';
import type { ApiPayload } from './payload.js';

/** Everything a face (CLI, Vite plugin) can set; every field has a default. */
export interface ProjectOptions {
  root?: string;
  /** fast-glob pattern(s) relative to the root. */
  manifests?: string | string[];
  cacheDir?: string;
  /** `retrodiffusion` | `placeholder`; default: retrodiffusion when a key is set. */
  provider?: string;
  /** Second choice after the RD_API_KEY environment variable. */
  apiKey?: string;
  frozen?: boolean;
  maxCost?: number;
  concurrency?: number;
  allowUnknownStyles?: boolean;
  /** API client tuning: per-request timeout, attempts, total retry time, requests per minute. */
  api?: ApiTuning;
  /** `s3://bucket/prefix` or `https://…` (Turborepo API); second choice after it: RETRO_SPRITES_REMOTE. */
  remoteCache?: string;
  /** Where the face took `remoteCache` from, for its errors (`--remote`, `remoteCache`). */
  remoteCacheFrom?: string;
  /** Remote cache tuning (tests, bench): upload retries, lease timings. */
  remoteTuning?: RemoteCacheOptions;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A project with its options resolved: where things are and who generates. */
export interface Project {
  root: string;
  manifests?: string | string[];
  cacheDir: string;
  store: CacheStore;
  /** The shared cache behind the local one, when one is configured. */
  remote?: RemoteCache;
  provider: Provider;
  /** One line to show when the provider was chosen for the user (no key → placeholder). */
  providerNotice?: string;
  /** Offline art shown while the provider works (none for the placeholder: it is instant). */
  standIn?: StandIn;
  frozen: boolean;
  maxCost?: number;
  concurrency: number;
  allowUnknownStyles: boolean;
  /** Prices asked once for the provider's life. */
  prices: PriceBook;
  /** Generations in flight: overlapping runs of this project never pay twice for one key. */
  inflight: InFlight;
  /** Manifest parses by file, reused while a file's text is unchanged. */
  parses: LastParses;
  /** Cache keys by payload: a request reused with its file's unchanged parse keeps its key. */
  keys: WeakMap<ApiPayload, string>;
}

/** What every run of a project passes to `runGeneration`: spread it, then add the run's own options. */
export type ProjectRunOptions = Pick<RunOptions, 'store' | 'provider' | 'root' | 'frozen' | 'maxCost' | 'concurrency' | 'prices' | 'inflight'>;

export function runOptionsOf(project: Project): ProjectRunOptions {
  const { store, provider, root, frozen, maxCost, concurrency, prices, inflight } = project;
  return { store, provider, root, frozen, maxCost, concurrency, prices, inflight };
}

export function openProject(opts: ProjectOptions = {}): Project {
  const env = opts.env ?? process.env;
  const root = resolve(opts.root ?? process.cwd());
  const cacheDir = resolveCacheDir(root, opts.cacheDir, env);
  const choice = selectProvider({
    provider: opts.provider,
    apiKey: opts.apiKey,
    env,
    concurrency: opts.concurrency,
    log: opts.log,
    root,
    api: opts.api,
  });
  // CI never spends by surprise: with the real API, a missing sprite fails instead of being bought.
  const frozen = opts.frozen ?? (Boolean(env.CI) && choice.provider.id !== 'placeholder');
  const remote = openRemoteCache({
    url: opts.remoteCache,
    from: opts.remoteCacheFrom,
    env,
    options: { log: opts.log, ...opts.remoteTuning },
  });
  return {
    root,
    manifests: opts.manifests,
    cacheDir,
    store: remote ? new RemoteBackedStore(cacheDir, remote) : new CacheStore(cacheDir),
    remote,
    provider: choice.provider,
    providerNotice: choice.notice,
    standIn: choice.standIn,
    frozen,
    maxCost: opts.maxCost,
    concurrency: opts.concurrency ?? 4,
    allowUnknownStyles: opts.allowUnknownStyles ?? false,
    prices: new PriceBook(),
    inflight: new Map(),
    parses: new LastParses(),
    keys: new WeakMap(),
  };
}

export interface LoadedPlan {
  plan: ManifestPlan;
  requests: KeyedRequest[];
}

/**
 * Loads every manifest and keys each request under the project's provider. `later`: where the
 * load's own derived writes go to run behind it (ParseCache.later); without it they are awaited.
 */
export async function loadProjectPlan(project: Project, later?: ParseCache['later']): Promise<LoadedPlan> {
  const identity = { id: project.provider.id, version: project.provider.version };
  const keys: PayloadKeys = {
    name: `${identity.id}@${identity.version}`,
    of(payload) {
      let key = project.keys.get(payload);
      if (key === undefined) project.keys.set(payload, (key = cacheKey(payload, identity)));
      return key;
    },
    know: (payload, key) => void project.keys.set(payload, key),
  };
  const cacheRel = isAbsolute(project.cacheDir) ? project.cacheDir : resolve(project.root, project.cacheDir);
  const plan = await loadManifests({
    root: project.root,
    manifests: project.manifests,
    allowUnknownStyles: project.allowUnknownStyles,
    parses: project.parses,
    ignore: cacheRel.startsWith(project.root) ? [`${cacheRel.slice(project.root.length + 1)}/**`] : [],
    // Kept only where the cache folder already is: loading manifests (a dry run, a check) creates nothing.
    parseCache: { dir: project.store.folder.parsesDir, beforeWrite: () => access(project.store.folder.dir).then(() => project.store.folder.ensureIgnoreFile()), later },
    keys,
  });
  const requests = plan.requests.map((r) => ({ ...r, key: keys.of(r.payload) }));
  return { plan, requests };
}
