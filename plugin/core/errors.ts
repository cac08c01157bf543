import { formatLocation, type SourceLocation } from './location.js';

/** Where the user is: the Vite plugin (they set options) or the CLI (they type flags). */
export type Face = 'vite' | 'cli';

/**
 * What to do about a problem, in each face's words: `set the plugin option frozen: false` in Vite,
 * `run without --frozen` in the CLI. Without a face (a library caller), both are given.
 */
export interface Advice {
  vite: string;
  cli: string;
}

export function adviceText(advice: Advice, face?: Face): string {
  return face ? advice[face] : `${advice.vite} (in the CLI: ${advice.cli})`;
}

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
  /** What to do, when it names a setting: said as a plugin option in Vite, as a flag in the CLI. */
  readonly advice?: Advice;
  private readonly bare: string;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; advice?: Advice }) {
    super(options?.advice ? `${message} ${adviceText(options.advice)}` : message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetroSpritesError';
    this.code = code;
    this.advice = options?.advice;
    this.bare = message;
  }
  /** The message in the words of where the user is (`message` gives both faces' advice). */
  messageFor(face: Face): string {
    return this.advice ? `${this.bare} ${this.advice[face]}` : this.message;
  }
}

/** Any error's text for a user in Vite or the CLI. */
export function userMessage(err: unknown, face: Face): string {
  if (err instanceof RetroSpritesError) return err.messageFor(face);
  return err instanceof Error ? err.message : String(err);
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
  /** The part of the hint that names a setting, in each face's words (printed after `hint`). */
  advice?: Advice;
}

export function formatDiagnostic(d: Diagnostic, root?: string, face?: Face): string {
  const where = formatLocation(d.location, root);
  const text = [d.hint, d.advice && adviceText(d.advice, face)].filter(Boolean).join(' ');
  const hint = text ? ` (${text})` : '';
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
    this.root = root;
    this.head = head;
  }
  private readonly root?: string;
  private readonly head: string;
  override messageFor(face: Face): string {
    const errors = this.diagnostics.filter((d) => d.severity === 'error');
    return `${this.head}:\n${errors.map((d) => '  ' + formatDiagnostic(d, this.root, face)).join('\n')}`;
  }
  /** The first error, for tools (like Vite's overlay) that show one location. */
  get first(): Diagnostic | undefined {
    return this.diagnostics.find((d) => d.severity === 'error');
  }
}
