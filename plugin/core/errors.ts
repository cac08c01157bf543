import { formatLocation, type SourceLocation } from './location.js';

/**
 * Every code an error a user may see can carry: the closed set a face (or a script around the CLI)
 * may branch on. Diagnostics of a manifest have codes of their own (`Diagnostic.code`).
 */
export const ERROR_CODES = [
  // manifests and the files they reference
  'manifest', 'path-absolute', 'path-outside-root', 'file-not-found', 'file-unreadable', 'not-a-file', 'input-too-large',
  'not-an-image', 'reseed',
  // options of a face
  'bad-option', 'bad-flag', 'bad-url', 'bad-atlas-options', 'unknown-provider', 'missing-key', 'port-in-use', 'install',
  // the API and its answers
  'unauthorized', 'not-enough-credits', 'rate-limited', 'server-error', 'http-error', 'bad-request', 'invalid-request',
  'not-found', 'network', 'timeout', 'truncated-response', 'bad-response', 'bad-image', 'image-too-large',
  'frame-too-large', 'layout-mismatch',
  // v2 tasks
  'idempotency-conflict', 'idempotency-unavailable', 'task-failed', 'task-timeout',
  // a run
  'frozen-miss', 'over-budget', 'generation-failed', 'aborted', 'not-ready',
  // the cache and the output
  'bad-key', 'cache-format', 'name-clash', 'bad-output-name', 'write-failed',
  // the remote cache
  'bad-remote', 'remote-sdk', 'no-remote', 'remote-unreachable',
  // requests to our own servers (dev middleware, emulator)
  'body-too-large',
  // a bug of ours, reported as such
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Base of every error a user may see. `message` is written for a person: what went wrong,
 * where, and what to do. The CLI and the Vite plugin print it without a stack trace.
 */
export class RetroSpritesError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetroSpritesError';
    this.code = code;
  }
}

export type Severity = 'error' | 'warning';

/** One finding about a manifest, pinned to the YAML node it is about. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `unknown-style`. */
  code: string;
  message: string;
  location: SourceLocation;
  /** Optional "how to fix it" sentence, printed after the message. */
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic, root?: string): string {
  const where = formatLocation(d.location, root);
  const hint = d.hint ? ` (${d.hint})` : '';
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${prefix}${d.message}${hint}`;
}

/** Every error of a manifest run, reported together rather than one at a time. */
export class ManifestError extends RetroSpritesError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], root?: string) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const head = errors.length === 1 ? '1 manifest error' : `${errors.length} manifest errors`;
    super('manifest', `${head}:\n${errors.map((d) => '  ' + formatDiagnostic(d, root)).join('\n')}`);
    this.name = 'ManifestError';
    this.diagnostics = diagnostics;
  }
  /** The first error, for tools (like Vite's overlay) that show one location. */
  get first(): Diagnostic | undefined {
    return this.diagnostics.find((d) => d.severity === 'error');
  }
}
