/** One object of a cache entry in a remote store. Names are the store's business (see s3.ts, turbo.ts). */
export type RemoteObject =
  | { kind: 'record'; key: string }
  | { kind: 'file'; key: string; name: string }
  | { kind: 'lease'; key: string };

/** Why a remote call failed, in the terms that decide what we do next. */
export type RemoteFailureKind = 'unreachable' | 'auth' | 'server' | 'refused';

/**
 * A remote call that failed. The message never holds a credential: backends build it from a status
 * and a short, redacted server text, never from a request.
 */
export class RemoteError extends Error {
  readonly kind: RemoteFailureKind;
  constructor(kind: RemoteFailureKind, message: string) {
    super(message);
    this.name = 'RemoteError';
    this.kind = kind;
  }
}

/** What a store does with "create this only if it is absent". */
export type CreateResult = 'created' | 'exists';

/** The few operations the remote cache needs; S3 and the Turborepo API each provide them. */
export interface RemoteBackend {
  /** The remote as a person reads it (no credentials): `s3://bucket/prefix`, `https://cache.example`. */
  readonly where: string;
  /**
   * The keys among `keys` whose record the remote holds, found in one listing or batched check;
   * `undefined` when the backend has no such call for this many keys (then each record is asked for).
   */
  findRecords(keys: readonly string[]): Promise<Set<string> | undefined>;
  /** Every key whose record the remote holds, when it can list (S3); `undefined` when it cannot (Turborepo). */
  listKeys(): Promise<string[] | undefined>;
  /** The object's bytes, `undefined` when absent. More than `maxBytes` is refused. */
  get(object: RemoteObject, maxBytes: number): Promise<Uint8Array | undefined>;
  put(object: RemoteObject, bytes: Uint8Array): Promise<void>;
  /** Conditional create (S3 `If-None-Match: *`); absent when the API has none (Turborepo). */
  create?(object: RemoteObject, bytes: Uint8Array): Promise<CreateResult>;
  /** Deletes an object; absent when the API has no delete (Turborepo). */
  remove?(object: RemoteObject): Promise<void>;
  /** Frees sockets. */
  close?(): void;
}

/** Replaces every secret in `text` (a server's error text may echo a header back). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** A short, printable excerpt of a server's answer. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
