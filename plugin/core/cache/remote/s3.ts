import type { S3Client } from '@aws-sdk/client-s3';
import { RetroSpritesError } from '../../errors.js';
import { RemoteError, excerpt, redactSecrets, type CreateResult, type RemoteBackend, type RemoteObject } from './backend.js';

/** Under this many keys, asking for each record costs less than listing a large bucket. */
const LIST_ABOVE = 32;
const RECORD_RE = /^([0-9a-f]{64})\.json$/;

export interface S3Location {
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
}

/** `s3://bucket/some/prefix` → bucket and `some/prefix/`. */
export function parseS3Url(url: URL): S3Location {
  const bucket = url.hostname;
  if (!bucket) throw new RetroSpritesError('bad-remote', 'an s3:// remote cache URL needs a bucket: s3://bucket/prefix');
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: path ? `${path}/` : '' };
}

/**
 * Any S3-compatible store through the official AWS SDK v3. Credentials and region come from the
 * standard AWS variables; with `AWS_ENDPOINT_URL` (MinIO, R2, a test server) requests use path-style
 * addressing, which such stores need. The SDK is loaded on first use, so projects without a remote
 * never load it.
 */
export class S3Backend implements RemoteBackend {
  readonly where: string;
  private readonly loc: S3Location;
  private readonly env: NodeJS.ProcessEnv;
  private cannotList = false;
  private clientPromise?: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }>;

  constructor(url: URL, env: NodeJS.ProcessEnv) {
    this.loc = parseS3Url(url);
    this.where = `s3://${this.loc.bucket}/${this.loc.prefix}`;
    this.env = env;
  }

  private secrets(): (string | undefined)[] {
    return [this.env.AWS_SECRET_ACCESS_KEY, this.env.AWS_SESSION_TOKEN, this.env.AWS_ACCESS_KEY_ID];
  }

  private connect() {
    this.clientPromise ??= (async () => {
      let sdk: typeof import('@aws-sdk/client-s3');
      try {
        sdk = await import('@aws-sdk/client-s3');
      } catch {
        throw new RetroSpritesError(
          'remote-sdk',
          'an s3:// remote cache needs the AWS SDK: install it beside the plugin (npm install -D @aws-sdk/client-s3)',
        );
      }
      const env = this.env;
      const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
      const client = new sdk.S3Client({
        region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        // From this project's environment, not the process's: the plugin and CLI pass theirs in.
        ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? {
              credentials: {
                accessKeyId: env.AWS_ACCESS_KEY_ID,
                secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
                ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
              },
            }
          : {}),
        // Many S3-compatible stores reject the SDK's newer default checksums; S3 needs none for PutObject.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // Our own retry decides about uploads; a down store must be noticed in seconds.
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      });
      return { client, sdk };
    })();
    return this.clientPromise;
  }

  private name(o: RemoteObject): string {
    const p = this.loc.prefix;
    if (o.kind === 'record') return `${p}records/${o.key}.json`;
    if (o.kind === 'file') return `${p}files/${o.key}/${o.name}`;
    return `${p}leases/${o.key}`;
  }

  /** The SDK's error as ours: a kind, a status and the store's code; never a credential. */
  private fail(err: unknown, what: string): RemoteError {
    if (err instanceof RetroSpritesError) throw err;
    const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const text = redactSecrets(excerpt(`${e.name ?? 'Error'}${e.message && e.message !== e.name ? `: ${e.message}` : ''}`), this.secrets());
    if (!status) return new RemoteError('unreachable', `${what}: ${text}`);
    if (status === 401 || status === 403) return new RemoteError('auth', `${what}: HTTP ${status} ${text} (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`);
    if (status >= 500 || status === 429) return new RemoteError('server', `${what}: HTTP ${status} ${text}`);
    return new RemoteError('refused', `${what}: HTTP ${status} ${text}`);
  }

  async findRecords(keys: readonly string[]): Promise<Set<string> | undefined> {
    if (keys.length <= LIST_ABOVE || this.cannotList) return undefined;
    try {
      return new Set(await this.listKeys());
    } catch (err) {
      // A policy may grant s3:GetObject but not s3:ListBucket, and some servers fail to page: the
      // listing only saves requests, so ask for each record instead.
      if (err instanceof RemoteError && err.kind !== 'unreachable') {
        this.cannotList = true;
        return undefined;
      }
      throw err;
    }
  }

  async listKeys(): Promise<string[]> {
    const { client, sdk } = await this.connect();
    const prefix = `${this.loc.prefix}records/`;
    const out: string[] = [];
    // Pages are chained with StartAfter (the last key seen), not continuation tokens: both are the
    // S3 API, and StartAfter also works on stores whose tokens are broken (s3rver's need DES, which
    // Node 18+ no longer ships).
    let after: string | undefined;
    for (;;) {
      let page;
      try {
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: prefix, ...(after ? { StartAfter: after } : {}) }));
      } catch (err) {
        throw this.fail(err, `listing ${this.where}records/`);
      }
      const contents = page.Contents ?? [];
      for (const o of contents) {
        const m = RECORD_RE.exec((o.Key ?? '').slice(prefix.length));
        if (m) out.push(m[1]!);
      }
      const last = contents.at(-1)?.Key;
      if (!page.IsTruncated || !last || last === after) break;
      after = last;
    }
    return out;
  }

  async get(o: RemoteObject, maxBytes: number): Promise<Uint8Array | undefined> {
    const { client, sdk } = await this.connect();
    const name = this.name(o);
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.loc.bucket, Key: name }));
      if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new RemoteError('refused', `${name} is ${res.ContentLength} bytes, more than the ${maxBytes} allowed`);
      }
      const bytes = await res.Body!.transformToByteArray();
      if (bytes.byteLength > maxBytes) throw new RemoteError('refused', `${name} is more than the ${maxBytes} bytes allowed`);
      return bytes;
    } catch (err) {
      if (err instanceof RemoteError) throw err;
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw this.fail(err, `reading ${name}`);
    }
  }

  async put(o: RemoteObject, bytes: Uint8Array): Promise<void> {
    const { client, sdk } = await this.connect();
    const name = this.name(o);
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.loc.bucket, Key: name, Body: bytes, ContentType: contentType(o) }));
    } catch (err) {
      throw this.fail(err, `writing ${name}`);
    }
  }

  async create(o: RemoteObject, bytes: Uint8Array): Promise<CreateResult> {
    const { client, sdk } = await this.connect();
    const name = this.name(o);
    try {
      await client.send(
        new sdk.PutObjectCommand({ Bucket: this.loc.bucket, Key: name, Body: bytes, ContentType: contentType(o), IfNoneMatch: '*' }),
      );
      return 'created';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: it exists; 409: another conditional write of it is in progress (S3 says: retry) — someone else's either way.
      if (status === 412 || status === 409) return 'exists';
      throw this.fail(err, `creating ${name}`);
    }
  }

  async remove(o: RemoteObject): Promise<void> {
    const { client, sdk } = await this.connect();
    const name = this.name(o);
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.loc.bucket, Key: name }));
    } catch (err) {
      throw this.fail(err, `deleting ${name}`);
    }
  }

  close(): void {
    void this.clientPromise?.then(({ client }) => client.destroy(), () => undefined);
  }
}

function contentType(o: RemoteObject): string {
  if (o.kind === 'file') return o.name.endsWith('.gif') ? 'image/gif' : 'image/png';
  return 'application/json';
}
