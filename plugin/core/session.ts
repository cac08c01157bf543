import type { CacheEntry } from './cache/store.js';
import { userMessage, type Face } from './errors.js';
import type { SpriteFailure } from './generate/errors.js';
import type { ProgressReporter, RunSummary } from './generate/progress.js';
import { startGeneration, type RunResult } from './generate/run.js';
import type { RgbaImage } from './image/bitmap.js';
import type { PngEffort } from './image/png-encode.js';
import type { ManifestPlan } from './manifest/index.js';
import type { AtlasOptions, BuiltAtlas, CarriedSprite, SpriteSource } from './phaser/atlas.js';
import { AtlasBuilder } from './phaser/atlas-builder.js';
import { AtlasMemo } from './phaser/atlas-memo.js';
import type { PackEntry } from './phaser/pack-json.js';
import { bitmapsOf, PageStore } from './phaser/page-store.js';
import { encodePagesAhead } from './phaser/encoded-pages.js';
import { renderAhead, renderFiles, type AssetKeys, type OutputFile } from './phaser/render.js';
import { spriteSourcesByAtlas } from './phaser/sprite-sources.js';
import { loadProjectPlan, openProject, runOptionsOf, type Project, type ProjectOptions } from './project.js';
import type { GeneratedImage } from './providers/provider.js';
import type { KeyedRequest } from './request.js';
import { EntrySignatures, type KnownSignatures } from './fs/stat-signature.js';

export type SpriteStatus = 'cached' | 'generated' | 'generating' | 'failed';

/** What the dev page shows for one sprite. */
export interface SpriteState {
  request: KeyedRequest;
  status: SpriteStatus;
  /** The reason, when failed. */
  error?: string;
  /** Art shown meanwhile is the offline stand-in (the real provider is still working or failed). */
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
   * Dev server: answer the first load at once, drawing stand-in art for sprites the provider has
   * not delivered yet, and call `onUpdate` when the real art arrives. Later refreshes keep the
   * previous art until the new art is in. Off (build): wait for every sprite.
   */
  placeholdersFirst?: boolean;
  reporter?: ProgressReporter;
  /** Whose words a sprite's failure is kept in (the dev page shows it): plugin options or flags. */
  face?: Face;
  /** Called after a background generation changed atlases (placeholdersFirst only). */
  onUpdate?: (snapshot: Snapshot) => void;
  /**
   * Take each unchanged atlas's output from the cache folder's `.atlases/` without reading its
   * sprites' images (phaser/atlas-memo.ts), and keep the ones it builds there (in the background:
   * `settled()` says when they are written). A build, and the dev server's first load; the dev
   * server then reads every sprite behind the served art (`warmed()`), for its edits and its page.
   */
  atlasMemo?: boolean;
  /**
   * Entries' signatures known from the last build (core/build-memo.ts): the first refresh takes
   * them instead of looking at each entry whose shard is unchanged.
   */
  knownSignatures?: KnownSignatures;
}

/** The Phaser files of one moment, and what they were made from. */
export interface Snapshot {
  plan: ManifestPlan;
  requests: KeyedRequest[];
  files: OutputFile[];
  /** The pack's entries as objects (the same as pack.json says), for diffing one snapshot against another. */
  pack: PackEntry[];
  keys: AssetKeys;
  summary?: RunSummary;
  failures: SpriteFailure[];
  /** The cache entries' signatures as this refresh first saw them, for what keeps its output by them. */
  signatures: EntrySignatures;
}

export interface RefreshOptions {
  /** Keys to generate again even though they are cached. */
  refresh?: ReadonlySet<string>;
}

const spriteId = (r: KeyedRequest): string => `${r.atlas}/${r.sprite}`;

/**
 * How long after a first load from kept outputs the dev server starts reading its sprites: a
 * page's loader asks for the art within a few hundred ms of the virtual module.
 */
const WARM_UP_DELAY_MS = 1000;

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
  private readonly memo?: AtlasMemo;
  private refreshStartedAt = 0;
  /** The entries' signatures as the current refresh first saw them. */
  private signatures = new EntrySignatures();
  private readonly entries = new Map<string, CacheEntry>();
  private readonly standIns = new Map<string, GeneratedImage[]>();
  /** The art each sprite (`atlas/sprite`) last showed with, kept while its new art is missing. */
  private readonly shown = new Map<string, SpriteSource>();
  private readonly states = new Map<string, SpriteState>();
  private queue: Promise<unknown> = Promise.resolve();
  private background: Promise<void> = Promise.resolve();
  /** Encoded pages being kept in the cache folder (dev server: after the snapshot is out). */
  private saving: Promise<void> = Promise.resolve();
  /** Dev server: the sprites of a first load from kept outputs, read behind it (`warmUp`). */
  private warming: Promise<void> = Promise.resolve();
  /** That reading while it waits for the page to have fetched its art (`scheduleWarmUp`). */
  private pendingWarmUp?: { begin(): void; drop(): void };
  /** Each atlas's output the memo holds, as far as this session loaded or wrote it: not written again. */
  private readonly memoKeys = new Map<string, string>();
  current?: Snapshot;

  constructor(opts: SessionOptions = {}) {
    this.opts = opts;
    this.project = openProject(opts);
    this.builder = new AtlasBuilder(opts.atlas, { keepDecoded: opts.placeholdersFirst ?? false });
    this.pages = new PageStore(this.project.store.folder.pagesDir);
    const folder = this.project.store.folder;
    if (opts.atlasMemo) {
      this.memo = new AtlasMemo(
        { dir: folder.atlasesDir, recordFile: (key) => folder.recordFile(key), beforeWrite: () => folder.ensureIgnoreFile() },
        opts.atlas ?? {},
        opts.pngEffort ?? 'small',
      );
    }
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
  refresh(options: RefreshOptions = {}): Promise<Snapshot> {
    this.pendingWarmUp?.begin();
    const next = this.queue.then(() => this.doRefresh(options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when background generation started by the last refresh, and the saves of what it keeps (pages, atlases), have finished. */
  async settled(): Promise<void> {
    this.pendingWarmUp?.begin();
    await this.queue;
    await this.background;
    await this.saving;
  }

  /**
   * Resolves when the saves of what the refreshes so far made (pages, atlases, kept requests) are
   * written, without waiting for a refresh still at work (it may be waiting for the network): a dev
   * server closing keeps what it made, and does not hang. A warm-up (`warmed()`) not begun is
   * dropped (a later refresh reads what it needs); one under way is waited for: it reads the disk,
   * never the network.
   */
  async saved(): Promise<void> {
    this.pendingWarmUp?.drop();
    await this.warming;
    await this.saving;
  }

  /**
   * Resolves when every sprite of the current art is read and decoded: at once, except after a dev
   * server's first load from kept outputs (its page's previews and cards wait for it).
   */
  warmed(): Promise<void> {
    this.pendingWarmUp?.begin();
    return this.warming;
  }

  private async doRefresh(options: RefreshOptions): Promise<Snapshot> {
    this.refreshStartedAt = Date.now();
    this.signatures = new EntrySignatures(this.current ? undefined : this.opts.knownSignatures);
    // The requests kept for the files that changed are written behind the refresh, with its other saves.
    const { plan, requests: all } = await loadProjectPlan(this.project, (write) => this.saveLater(write));
    const { standIn } = this.project;
    // Atlases whose output is kept for exactly these inputs need neither their images nor a build;
    // in the others, sprites unchanged since the atlas's last output are carried from its pages.
    const last = !this.current && !options.refresh?.size ? await this.lastOutputs(all) : noOutputs();
    const requests = toBuild(all, last);
    const run = await startGeneration(requests, {
      ...runOptionsOf(this.project),
      refresh: options.refresh,
      known: this.entries,
      // After the first load (the dev server's edit loop) a price check would only delay the art;
      // with a budget the run still asks first.
      estimate: !this.current,
      reporter: withKept(this.opts.reporter, all.length - requests.length),
    });
    for (const [key, entry] of run.hits) this.entries.set(key, entry);
    const missing = new Set(run.misses.map((r) => r.key));
    this.states.clear();
    for (const r of all) {
      this.states.set(
        spriteId(r),
        missing.has(r.key)
          ? { request: r, status: 'generating', standIn: Boolean(standIn) }
          : { request: r, status: 'cached', standIn: false, entry: this.entries.get(r.key) },
      );
    }

    // Stand-ins only for the first load, so the page never waits for the network to start; after
    // an edit the previous art stays on screen until the new art arrives (one repack, not two).
    if (this.opts.placeholdersFirst && !this.current && standIn && missing.size > 0) {
      for (const r of run.misses) this.standIns.set(r.key, standIn(r.payload));
      this.background = run.result.then(
        async (result) => {
          this.learn(result);
          const snapshot = await this.queue.then(() => this.snapshot(plan, all, result, last));
          this.opts.onUpdate?.(snapshot);
          if (fromLast(last)) this.scheduleWarmUp(snapshot, all);
        },
        (err: Error) => {
          for (const r of requests) if (missing.has(r.key)) this.setFailed(r, this.say(err));
          this.opts.reporter?.warn?.(this.say(err));
        },
      );
      return this.snapshot(plan, all, undefined, last);
    }
    const result = await run.result;
    this.learn(result);
    const snapshot = await this.snapshot(plan, all, result, last);
    if (this.opts.placeholdersFirst && fromLast(last)) this.scheduleWarmUp(snapshot, all);
    return snapshot;
  }

  /**
   * Queues `warmUp` like a refresh, to begin once the page has had time to fetch the art just
   * served (the reading takes this thread for seconds in a large game, and the art is what the
   * developer waits for), or at once when something needs it: a refresh (an edit then finds every
   * sprite read), the dev page, `settled()`.
   */
  private scheduleWarmUp(served: Snapshot, all: KeyedRequest[]): void {
    let decide!: (run: boolean) => void;
    const decided = new Promise<boolean>((resolve) => (decide = resolve));
    const timer = setTimeout(() => decide(true), WARM_UP_DELAY_MS);
    timer.unref();
    this.pendingWarmUp = {
      begin: () => {
        clearTimeout(timer);
        decide(true);
      },
      drop: () => {
        clearTimeout(timer);
        decide(false);
      },
    };
    this.warming = this.queue
      .then(() => decided)
      .then(async (run) => {
        this.pendingWarmUp = undefined;
        if (run) await this.warmUp(served, all);
      })
      .catch(() => undefined);
    this.queue = this.warming;
  }

  /**
   * Dev server, after a first load from kept outputs: every sprite's entry read and its atlas built
   * again, as a load with nothing kept would have, so an edit repacks one atlas from decoded frames,
   * and the page can show each sprite's answer. The same inputs make the same files, so the page
   * hears of nothing, unless they differ. Only entries that are there: a missing or damaged one
   * leaves the kept art as it is, for the next refresh to generate (this one never spends). An atlas
   * at a time, so the server answers the page's requests for the art in between. Not after another
   * refresh: that one read everything, and this one's manifests are older.
   */
  private async warmUp(served: Snapshot, all: KeyedRequest[]): Promise<void> {
    if (this.current !== served) return;
    const unread = new Map<string, string[]>();
    for (const r of all) {
      if (this.entries.has(r.key)) continue;
      const keys = unread.get(r.atlas);
      if (keys) keys.push(r.key);
      else unread.set(r.atlas, [r.key]);
    }
    for (const keys of unread.values()) {
      for (const [key, found] of await this.project.store.lookupMany(keys)) {
        if (found.status !== 'hit') return;
        this.entries.set(key, found.entry);
      }
      await new Promise(setImmediate);
    }
    for (const [id, state] of this.states) if (state.status === 'cached' && !state.entry) this.states.set(id, { ...state, entry: this.entries.get(state.request.key) });
    const snapshot = await this.snapshot(served.plan, all, undefined, noOutputs());
    this.current = { ...snapshot, summary: served.summary, failures: served.failures };
    if (!sameFiles(served.files, snapshot.files)) this.opts.onUpdate?.(this.current);
  }

  /**
   * The kept output of every atlas whose inputs are unchanged, and of each other atlas the sprites
   * its last output can carry (atlas memo on, first refresh).
   */
  private async lastOutputs(requests: KeyedRequest[]): Promise<LastOutputs> {
    const last = noOutputs();
    if (!this.memo) return last;
    const byAtlas = new Map<string, KeyedRequest[]>();
    for (const r of requests) {
      const group = byAtlas.get(r.atlas);
      if (group) group.push(r);
      else byAtlas.set(r.atlas, [r]);
    }
    for (const [name, group] of byAtlas) {
      const key = this.memo.keyOf(name, group, undefined, this.signatures);
      const atlas = key ? await this.memo.load(name, key) : undefined;
      if (key && atlas) {
        last.kept.set(name, { key, atlas });
        this.memoKeys.set(name, key);
        continue;
      }
      const sprites = await this.memo.carry(name, group, this.signatures);
      if (sprites.length > 0) last.carried.set(name, sprites);
    }
    return last;
  }

  /** Takes in what a run found and made; each sprite's state says what became of its key. */
  private learn(result: RunResult): void {
    for (const [key, outcome] of result.outcomes) {
      if (outcome.status === 'hit' || outcome.status === 'generated') {
        this.entries.set(key, outcome.entry);
        this.standIns.delete(key);
      }
    }
    for (const r of result.requests) {
      const outcome = result.outcomes.get(r.key);
      const state = this.states.get(spriteId(r));
      if (!outcome || !state || state.request.key !== r.key || state.status !== 'generating') continue;
      if (outcome.status === 'generated' || outcome.status === 'hit') {
        this.states.set(spriteId(r), { ...state, status: 'generated', standIn: false, entry: outcome.entry });
      } else if (outcome.status === 'failed') {
        this.setFailed(r, this.say(outcome.error));
      }
    }
  }

  private async snapshot(
    plan: ManifestPlan,
    all: KeyedRequest[],
    result?: RunResult,
    last: LastOutputs = noOutputs(),
  ): Promise<Snapshot> {
    const { kept, carried } = last;
    const requests = toBuild(all, last);
    // What each source was drawn from, so the atlas builder repacks only atlases whose art changed.
    const origin = new Map<SpriteSource, string>();
    const groups = spriteSourcesByAtlas(requests, (request) => {
      const id = spriteId(request);
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
    const live = new Set(requests.map(spriteId));
    for (const id of this.shown.keys()) if (!live.has(id)) this.shown.delete(id);
    const effort = this.opts.pngEffort ?? 'small';
    // Kept atlases carry their encodings; only built ones go through the page store. Each rebuilt
    // atlas's pages are looked up and compressed while the next atlas is built.
    const stored = new Set<RgbaImage>();
    const encoding: Promise<void>[] = [];
    const encode = (images: RgbaImage[]) =>
      encoding.push(this.pages.load(images, effort).then(async (found) => {
        for (const image of found) stored.add(image);
        await encodePagesAhead(images, effort);
      }));
    const { atlases: built, rebuilt } = await this.builder.build(groups, (s) => origin.get(s) ?? '', (atlas) => encode(bitmapsOf([atlas])), carried);
    const done = new Set(rebuilt);
    encode(bitmapsOf(built.filter((a) => !done.has(a.atlas))));
    const atlases = [...built, ...[...kept.values()].map((k) => k.atlas)];
    renderAhead(atlases, { fileName: this.opts.fileName, effort });
    await Promise.all(encoding);
    const bitmaps = bitmapsOf(built);
    const { files, keys, pack } = renderFiles(atlases, {
      fileName: this.opts.fileName,
      packPath: this.opts.packPath,
      effort,
    });
    // The dev server serves its files from memory, and a build has the rest of Vite's work to do:
    // neither waits for the disk. A lost save is only a later re-encode or rebuild; saves stay in
    // order, and `settled()` waits for them (the plugin does, before its build ends).
    const inBackground = this.opts.placeholdersFirst || this.memo !== undefined;
    const persist = async (work: () => Promise<void>) => (inBackground ? this.saveLater(work) : work());
    if (stored.size < bitmaps.length) {
      // Encoded pages live in the cache folder: its .gitignore must keep them out of git first.
      await persist(async () => {
        await this.project.store.folder.ensureIgnoreFile();
        await this.pages.save(bitmaps, effort, stored);
      });
    }
    const memo = this.memo;
    if (memo) {
      const { refreshStartedAt, signatures } = this;
      // Not an atlas drawn partly from stand-ins or from a sprite's last art.
      const fresh = built.filter((a) => done.has(a.atlas) && requests.every((r) => r.atlas !== a.atlas || this.entries.has(r.key)));
      await persist(async () => {
        if (result) await this.settleChanged(result, signatures, refreshStartedAt);
        for (const a of fresh) {
          // Keyed as the entries stood when the refresh began: one changed since is racy, and not kept.
          const inputs = memo.inputsOf(a.atlas, all.filter((r) => r.atlas === a.atlas), refreshStartedAt, signatures);
          if (!inputs || this.memoKeys.get(a.atlas) === inputs.key) continue;
          await memo.save(inputs, a);
          this.memoKeys.set(a.atlas, inputs.key);
        }
      });
    }
    const held = all.length - requests.length;
    const summary = result?.summary && held ? { ...result.summary, sprites: result.summary.sprites + held, cached: result.summary.cached + held } : result?.summary;
    const snapshot: Snapshot = { plan, requests: all, files, pack, keys, summary, failures: result?.failures ?? [], signatures: this.signatures };
    this.current = snapshot;
    return snapshot;
  }

  /**
   * Entries this refresh obtained that changed while it ran (it generated or fetched them, or
   * another process wrote them) are not trusted by their first look, so what was made from them
   * would not be kept and the next build would redo it all. Looked at again once their timestamps
   * are past the grain, each one that still holds the art this refresh used is settled
   * (stat-signature.ts): one read of each, usually the few an edit generated.
   */
  private async settleChanged(result: RunResult, signatures: EntrySignatures, since: number): Promise<void> {
    const { store } = this.project;
    for (const [key, outcome] of result.outcomes) {
      if (outcome.status !== 'generated' && outcome.status !== 'hit') continue;
      const used = outcome.entry;
      const record = store.recordFile(key);
      if (signatures.trusted(key, signatures.of(key, record), since)) continue;
      await signatures.settle(key, record, async () => {
        const now = await store.lookup(key);
        return now.status === 'hit' && sameArt(now.entry.images, used.images);
      });
    }
  }

  /** Runs a save behind the refresh, after the saves before it; `settled()` waits for it. A lost save is only later work. */
  private saveLater(work: () => Promise<void>): void {
    this.saving = this.saving.then(work).catch(() => undefined);
  }

  private say(err: Error): string {
    return this.opts.face ? userMessage(err, this.opts.face) : err.message;
  }

  private setFailed(r: KeyedRequest, error: string): void {
    const id = spriteId(r);
    const s = this.states.get(id);
    if (s && s.request.key === r.key) this.states.set(id, { ...s, status: 'failed', error });
  }
}

const sameFiles = (a: readonly OutputFile[], b: readonly OutputFile[]): boolean =>
  a.length === b.length && a.every((f, i) => f.fileName === b[i]!.fileName && Buffer.compare(f.bytes, b[i]!.bytes) === 0);

const sameArt = (a: readonly GeneratedImage[], b: readonly GeneratedImage[]): boolean =>
  a.length === b.length &&
  a.every((x, i) => x.format === b[i]!.format && x.width === b[i]!.width && x.height === b[i]!.height && Buffer.compare(x.bytes, b[i]!.bytes) === 0);

/** What the atlases' last outputs give a build: whole atlases kept, and sprites carried into the others. */
interface LastOutputs {
  kept: Map<string, { key: string; atlas: BuiltAtlas }>;
  carried: Map<string, CarriedSprite[]>;
}

const noOutputs = (): LastOutputs => ({ kept: new Map(), carried: new Map() });

/** Whether anything of the art comes from the atlases' last outputs. */
const fromLast = ({ kept, carried }: LastOutputs): boolean => kept.size > 0 || carried.size > 0;

/** The sprites to obtain and build from their art: neither in a kept atlas nor carried. */
function toBuild(all: KeyedRequest[], last: LastOutputs): KeyedRequest[] {
  if (!fromLast(last)) return all;
  const { kept, carried } = last;
  const carriedIds = new Set([...carried.values()].flatMap((sprites) => sprites.map((s) => spriteId(s.request))));
  return all.filter((r) => !kept.has(r.atlas) && !carriedIds.has(spriteId(r)));
}

/** The run sees only the sprites of atlases not kept; the user is told about all of them. */
function withKept(reporter: ProgressReporter | undefined, held: number): ProgressReporter | undefined {
  if (!reporter || held === 0) return reporter;
  return {
    ...reporter,
    plan: (s) => reporter.plan?.({ ...s, sprites: s.sprites + held, cached: s.cached + held }),
    finish: (s) => reporter.finish?.({ ...s, sprites: s.sprites + held, cached: s.cached + held }),
  };
}
