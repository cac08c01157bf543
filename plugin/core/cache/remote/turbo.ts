import { sha256Hex } from '../hash.js';
import { RemoteError, excerpt, redactSecrets, type RemoteBackend, type RemoteObject } from './backend.js';

const TIMEOUT_MS = 30_000;

/**
 * A Turborepo remote cache (Vercel's, or a self-hosted turborepo-remote-cache) through its HTTP API:
 * `GET/PUT/HEAD /v8/artifacts/{hash}`, `Authorization: Bearer $TURBO_TOKEN`, and the team from
 * `TURBO_TEAM` as Turborepo sends it (`teamId=` for `team_…` ids, else `slug=`). The API has no
 * listing, no delete and no conditional create: see the README for what that means for leases.
 */
export class TurboBackend implements RemoteBackend {
  readonly where: string;
  private readonly base: string;
  private readonly token?: string;
  private readonly team?: string;
  /** `POST /v8/artifacts` (batched query) is Vercel's; a server without it answers 404 once. */
  private batchQuery = true;

  constructor(url: URL, env: NodeJS.ProcessEnv) {
    this.base = url.href.replace(/\/+$/, '');
    this.where = this.base;
    this.token = env.TURBO_TOKEN || undefined;
    this.team = env.TURBO_TEAM || undefined;
  }

  /**
   * Artifact ids are hex like Turborepo's own task hashes, derived from what they hold, so they can
   * share a team's cache with Turborepo's artifacts without colliding.
   */
  static artifactId(o: RemoteObject): string {
    const what = o.kind === 'file' ? `file/${o.key}/${o.name}` : `${o.kind}/${o.key}`;
    return sha256Hex(`retro-sprites/1/${what}`);
  }

  private url(path: string): string {
    const q = this.team ? `?${this.team.startsWith('team_') ? 'teamId' : 'slug'}=${encodeURIComponent(this.team)}` : '';
    return `${this.base}${path}${q}`;
  }

  private async request(method: string, path: string, what: string, body?: Uint8Array | string, json = false): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = json ? 'application/json' : 'application/octet-stream';
    let res: Response;
    try {
      const payload = typeof body === 'string' || body === undefined ? body : (body as Uint8Array<ArrayBuffer>);
      res = await fetch(this.url(path), { method, headers, body: payload, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).name;
      throw new RemoteError('unreachable', `${what}: ${redactSecrets(String(reason), [this.token])}`);
    }
    return res;
  }

  private async failure(res: Response, what: string): Promise<RemoteError> {
    const text = redactSecrets(excerpt(await res.text().catch(() => '')), [this.token]);
    const detail = `${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`;
    if (res.status === 401 || res.status === 403) return new RemoteError('auth', `${detail} (check TURBO_TOKEN and TURBO_TEAM)`);
    if (res.status === 400 && !this.team) return new RemoteError('refused', `${detail} (this server may need TURBO_TEAM)`);
    if (res.status >= 500 || res.status === 429) return new RemoteError('server', detail);
    return new RemoteError('refused', detail);
  }

  async findRecords(keys: readonly string[]): Promise<Set<string> | undefined> {
    if (!this.batchQuery || keys.length === 0) return undefined;
    const ids = new Map(keys.map((k) => [TurboBackend.artifactId({ kind: 'record', key: k }), k]));
    const res = await this.request('POST', '/v8/artifacts', 'asking which records the remote holds', JSON.stringify({ hashes: [...ids.keys()] }), true);
    if (res.status === 404 || res.status === 405 || res.status === 400) {
      await res.body?.cancel();
      this.batchQuery = false;
      return undefined;
    }
    if (!res.ok) throw await this.failure(res, 'asking which records the remote holds');
    const answer = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!answer || typeof answer !== 'object') return undefined;
    const found = new Set<string>();
    for (const [id, info] of Object.entries(answer)) {
      const key = ids.get(id);
      if (key && info && typeof info === 'object' && !('error' in info)) found.add(key);
    }
    return found;
  }

  async listKeys(): Promise<undefined> {
    return undefined;
  }

  async get(o: RemoteObject, maxBytes: number): Promise<Uint8Array | undefined> {
    const id = TurboBackend.artifactId(o);
    const what = `reading artifact ${id.slice(0, 16)}… (${describe(o)})`;
    const res = await this.request('GET', `/v8/artifacts/${id}`, what);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw await this.failure(res, what);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new RemoteError('refused', `${what}: ${declared} bytes, more than the ${maxBytes} allowed`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new RemoteError('refused', `${what}: more than the ${maxBytes} bytes allowed`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async put(o: RemoteObject, bytes: Uint8Array): Promise<void> {
    const id = TurboBackend.artifactId(o);
    const what = `writing artifact ${id.slice(0, 16)}… (${describe(o)})`;
    const res = await this.request('PUT', `/v8/artifacts/${id}`, what, bytes);
    if (!res.ok) throw await this.failure(res, what);
    await res.body?.cancel();
  }
}

function describe(o: RemoteObject): string {
  return o.kind === 'file' ? `${o.key.slice(0, 12)}/${o.name}` : `${o.kind} of ${o.key.slice(0, 12)}`;
}
