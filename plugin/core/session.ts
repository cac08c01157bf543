import { join } from 'node:path';
import { AtlasBuilder, spriteSourcesByAtlas } from './assets.js';
import type { CacheEntry } from './cache/store.js';
import { userMessage, type Face } from './errors.js';
import type { SpriteFailure } from './generate/errors.js';
import type { ProgressReporter, RunSummary } from './generate/progress.js';
import { runGeneration } from './generate/run.js';
import type { ManifestPlan } from './manifest/index.js';
import type { PngEffort } from './image/png-encode.js';
import { PAGES_DIR } from './cache/store.js';
import { bitmapsOf, PageStore } from './phaser/page-store.js';
import { renderFiles, type AssetKeys, type AtlasOptions, type OutputFile, type SpriteSource } from './phaser/build.js';
import { renderPlaceholder } from './providers/placeholder/index.js';
import type { GeneratedImage } from './providers/provider.js';
import { loadProjectPlan, openProject, type Project, type ProjectOptions } from './project.js';
import type { KeyedRequest } from './request.js';

export type SpriteStatus = 'cached' | 'generated' | 'generating' | 'failed';

/** What the dev page shows for one sprite. */
export interface SpriteState {
  request: KeyedRequest;
  status: SpriteStatus;
  /** The reason, when failed. */
  error?: string;
  /** Art shown meanwhile is the offline placeholder (the real provider is still working or failed). */
  standIn: boolean;
  entry?: CacheEntry;
}

export interface SessionOptions extends ProjectOptions {
  atlas?: AtlasOptions;
  /** Final file name for a logical one (a bundler's content hash); default: the logical name. */
  fileName?: (logicalName: string, bytes: Uint8Array) => string;
  /** Section path written into pack.json, where the loader finds the files. */
  packPath?: string;
  /** PNG compression of atlas pages: `small` (default) for builds, `fast` where it is redone on every edit. */
  pngEffort?: PngEffort;
  /**
   * Dev server: answer the first load at once, drawing placeholder art for sprites the provider has
   * not delivered yet, and call `onUpdate` when the real art arrives. Later refreshes keep the
   * previous art until the new art is in. Off (build): wait for every sprite.
   */
  placeholdersFirst?: boolean;
  reporter?: ProgressReporter;
  /** Whose words a sprite's failure is kept in (the dev page shows it): plugin options or flags. */
  face?: Face;
  /** Called after a background generation changed atlases (placeholdersFirst only). */
  onUpdate?: (snapshot: Snapshot) => void;
}

/** The Phaser files of one moment, and what they were made from. */
export interface Snapshot {
  plan: ManifestPlan;
  requests: KeyedRequest[];
  files: OutputFile[];
  keys: AssetKeys;
  summary?: RunSummary;
  failures: SpriteFailure[];
}

/**
 * One project's art, kept up to date: the state the Vite plugin (and anything else long-lived)
 * holds. `refresh()` reloads the manifests, generates what changed and repacks only the atlases
 * whose sprites changed. Refreshes are serialized; a failing refresh leaves the last good snapshot.
 */
export class SpriteSession {
  readonly project: Project;
  private readonly opts: SessionOptions;
  private readonly builder: AtlasBuilder;
  private readonly pages: PageStore;
  private readonly entries = new Map<string, CacheEntry>();
  private readonly standIns = new Map<string, GeneratedImage[]>();
  /** The art each sprite (`atlas/sprite`) last showed with, kept while its new art is missing. */
  private readonly shown = new Map<string, SpriteSource>();
  private readonly states = new Map<string, SpriteState>();
  private queue: Promise<unknown> = Promise.resolve();
  private background: Promise<void> = Promise.resolve();
  current?: Snapshot;

  constructor(opts: SessionOptions = {}) {
    this.opts = opts;
    this.project = openProject(opts);
    this.builder = new AtlasBuilder(opts.atlas);
    this.pages = new PageStore(join(this.project.cacheDir, PAGES_DIR));
  }

  /** The images behind a key: cached art, or the stand-in shown while it generates. */
  imagesFor(key: string): GeneratedImage[] | undefined {
    return this.entries.get(key)?.images ?? this.standIns.get(key);
  }

  /** Every sprite's state, in manifest order. */
  spriteStates(): SpriteState[] {
    return [...this.states.values()];
  }

  /**
   * Shows a sprite (`atlas/sprite`) as generating from now on, before its refresh starts: the dev
   * page's buttons must never read the old state back after a click.
   */
  markGenerating(sprite: string): void {
    const s = this.states.get(sprite);
    if (s) this.states.set(sprite, { ...s, status: 'generating', error: undefined });
  }

  /** Reloads and regenerates; `refresh` forces those keys to be generated again. */
  refresh(options: { refresh?: ReadonlySet<string> } = {}): Promise<Snapshot> {
    const next = this.queue.then(() => this.doRefresh(options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when background generation started by the last refresh has finished. */
  async settled(): Promise<void> {
    await this.queue;
    await this.background;
  }

  private async doRefresh(options: { refresh?: ReadonlySet<string> }): Promise<Snapshot> {
    const started = Date.now();
    const { plan, requests } = await loadProjectPlan(this.project);
    const forced = options.refresh ?? new Set<string>();
    const missing: KeyedRequest[] = [];
    const unknown = requests.filter((r) => !this.entries.has(r.key) && !forced.has(r.key)).map((r) => r.key);
    const found = await this.project.store.lookupMany(unknown);
    const seen = new Set<string>();
    for (const r of requests) {
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      if (this.entries.has(r.key) && !forced.has(r.key)) continue;
      const lookup = found.get(r.key);
      if (lookup?.status === 'hit') {
        this.entries.set(r.key, lookup.entry);
        continue;
      }
      if (lookup?.status === 'corrupt') {
        this.opts.reporter?.warn?.(`cache entry of ${r.atlas}/${r.sprite} was damaged (${lookup.corrupt.reason}); set aside to ${lookup.corrupt.setAsideTo}`);
      }
      missing.push(r);
    }
    this.syncStates(requests, missing);

    let summary: RunSummary | undefined;
    let failures: SpriteFailure[] = [];
    const needed = requests.filter((r) => missing.some((m) => m.key === r.key));
    const run = () =>
      runGeneration(needed, {
        store: this.project.store,
        provider: this.project.provider,
        root: this.project.root,
        frozen: this.project.frozen,
        maxCost: this.project.maxCost,
        concurrency: this.project.concurrency,
        refresh: forced,
        // After the first load (the dev server's edit loop) a price check would only delay the art;
        // with a budget the run still asks first.
        estimate: !this.current,
        reporter: this.trackingReporter(requests.length - needed.length),
      });

    // Stand-ins only for the first load, so the page never waits for the network to start; after
    // an edit the previous art stays on screen until the new art arrives (one repack, not two).
    const background = this.opts.placeholdersFirst && !this.current && this.project.provider.id !== 'placeholder' && missing.length > 0;
    if (background) {
      for (const r of missing) this.standIns.set(r.key, renderPlaceholder(r.payload));
      this.background = run().then(
        async (result) => {
          const snapshot = await this.queue.then(() => this.snapshot(plan, requests, result.summary, result.failures));
          this.opts.onUpdate?.(snapshot);
        },
        (err: Error) => {
          for (const r of needed) this.setFailed(r, err);
          this.opts.reporter?.warn?.(this.say(err));
        },
      );
    } else if (missing.length > 0) {
      const result = await run();
      const held = requests.length - needed.length;
      summary = { ...result.summary, sprites: result.summary.sprites + held, cached: result.summary.cached + held };
      failures = result.failures;
    } else {
      summary = { sprites: requests.length, cached: requests.length, toGenerate: 0, estimate: {}, generated: 0, failed: 0, skipped: 0, spent: {}, durationMs: Date.now() - started };
      this.opts.reporter?.finish?.(summary);
    }
    return this.snapshot(plan, requests, summary, failures);
  }

  private async snapshot(plan: ManifestPlan, requests: KeyedRequest[], summary: RunSummary | undefined, failures: SpriteFailure[]): Promise<Snapshot> {
    // What each source was drawn from, so the atlas builder repacks only atlases whose art changed.
    const origin = new Map<SpriteSource, string>();
    const groups = spriteSourcesByAtlas(requests, (request) => {
      const id = `${request.atlas}/${request.sprite}`;
      const entry = this.entries.get(request.key);
      const standIn = this.standIns.get(request.key);
      let source: SpriteSource | undefined;
      if (entry || standIn) {
        source = { request, images: entry?.images ?? standIn! };
        origin.set(source, entry ? request.key : `stand-in:${request.key}`);
        this.shown.set(id, source);
      } else {
        // Not generated (yet, or it failed): the last good art of this sprite keeps its place.
        source = this.shown.get(id);
        if (source) origin.set(source, `last:${(source.request as KeyedRequest).key}`);
      }
      return source;
    });
    const live = new Set(requests.map((r) => `${r.atlas}/${r.sprite}`));
    for (const id of this.shown.keys()) if (!live.has(id)) this.shown.delete(id);
    const { atlases } = this.builder.build(groups, (s) => origin.get(s) ?? '');
    const effort = this.opts.pngEffort ?? 'small';
    const bitmaps = bitmapsOf(atlases);
    const stored = await this.pages.load(bitmaps, effort);
    const { files, keys } = renderFiles(atlases, {
      fileName: this.opts.fileName,
      packPath: this.opts.packPath,
      effort,
    });
    if (stored.size < bitmaps.length) {
      // Encoded pages live in the cache folder: its .gitignore must keep them out of git first.
      await this.project.store.ensureIgnoreFile();
      await this.pages.save(bitmaps, effort, stored);
    }
    const snapshot: Snapshot = { plan, requests, files, keys, summary, failures };
    this.current = snapshot;
    return snapshot;
  }

  private syncStates(requests: KeyedRequest[], missing: KeyedRequest[]): void {
    const missingKeys = new Set(missing.map((m) => m.key));
    const next = new Map<string, SpriteState>();
    for (const r of requests) {
      const id = `${r.atlas}/${r.sprite}`;
      const entry = this.entries.get(r.key);
      next.set(id, missingKeys.has(r.key)
        ? { request: r, status: 'generating', standIn: this.project.provider.id !== 'placeholder' }
        : { request: r, status: 'cached', standIn: false, entry });
    }
    this.states.clear();
    for (const [k, v] of next) this.states.set(k, v);
  }

  private say(err: Error): string {
    return this.opts.face ? userMessage(err, this.opts.face) : err.message;
  }

  private setFailed(r: KeyedRequest, err: Error): void {
    const id = `${r.atlas}/${r.sprite}`;
    const s = this.states.get(id);
    if (s && s.request.key === r.key) this.states.set(id, { ...s, status: 'failed', error: this.say(err) });
  }

  /**
   * Passes the run's events on to the user's reporter, counting the sprites this session already
   * held as cached (the run itself only sees the ones it must fetch or generate).
   */
  private trackingReporter(alreadyHeld: number): ProgressReporter {
    const user = this.opts.reporter;
    return {
      ...user,
      plan: (s) => user?.plan?.({ ...s, sprites: s.sprites + alreadyHeld, cached: s.cached + alreadyHeld }),
      finish: (s) => user?.finish?.({ ...s, sprites: s.sprites + alreadyHeld, cached: s.cached + alreadyHeld }),
      done: (r, info) => {
        this.entries.set(r.key, info.entry);
        this.standIns.delete(r.key);
        const id = `${r.atlas}/${r.sprite}`;
        const s = this.states.get(id);
        if (s && s.request.key === r.key) this.states.set(id, { ...s, status: 'generated', standIn: false, entry: info.entry });
        user?.done?.(r, info);
      },
      failed: (r, err) => {
        this.setFailed(r, err);
        user?.failed?.(r, err);
      },
    };
  }
}
