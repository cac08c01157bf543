import { isAbsolute, join, resolve } from 'node:path';
import { CacheStore, DEFAULT_CACHE_DIR, PARSES_DIR } from './cache/store.js';
import { cacheKey } from './cache-key.js';
import { loadManifests, type ManifestPlan } from './manifest/index.js';
import type { Provider } from './providers/provider.js';
import { selectProvider, type ApiTuning } from './providers/select.js';
import type { KeyedRequest } from './request.js';

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
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A project with its options resolved: where things are and who generates. */
export interface Project {
  root: string;
  manifests?: string | string[];
  cacheDir: string;
  store: CacheStore;
  provider: Provider;
  /** One line to show when the provider was chosen for the user (no key → placeholder). */
  providerNotice?: string;
  frozen: boolean;
  maxCost?: number;
  concurrency: number;
  allowUnknownStyles: boolean;
}

export function openProject(opts: ProjectOptions = {}): Project {
  const env = opts.env ?? process.env;
  const root = resolve(opts.root ?? process.cwd());
  const cacheDir = resolve(root, opts.cacheDir ?? DEFAULT_CACHE_DIR);
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
  return {
    root,
    manifests: opts.manifests,
    cacheDir,
    store: new CacheStore(cacheDir),
    provider: choice.provider,
    providerNotice: choice.notice,
    frozen,
    maxCost: opts.maxCost,
    concurrency: opts.concurrency ?? 4,
    allowUnknownStyles: opts.allowUnknownStyles ?? false,
  };
}

export interface LoadedPlan {
  plan: ManifestPlan;
  requests: KeyedRequest[];
}

/** Loads every manifest and keys each request under the project's provider. */
export async function loadProjectPlan(project: Project): Promise<LoadedPlan> {
  const cacheRel = isAbsolute(project.cacheDir) ? project.cacheDir : resolve(project.root, project.cacheDir);
  const plan = await loadManifests({
    root: project.root,
    manifests: project.manifests,
    allowUnknownStyles: project.allowUnknownStyles,
    ignore: cacheRel.startsWith(project.root) ? [`${cacheRel.slice(project.root.length + 1)}/**`] : [],
    parseCache: { dir: join(cacheRel, PARSES_DIR), beforeWrite: () => project.store.ensureIgnoreFile() },
  });
  const identity = { id: project.provider.id, version: project.provider.version };
  const requests = plan.requests.map((r) => ({ ...r, key: cacheKey(r.payload, identity) }));
  return { plan, requests };
}
