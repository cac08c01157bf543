import { adviceText, type Advice, type Face } from './advice.js';
import { formatLocation, type SourceLocation } from './location.js';

export type { Advice, Face } from './advice.js';

/**
 * Base of every error a user may see. `message` is written for a person: what went wrong,
 * where, and what to do. The CLI and the Vite plugin print it without a stack trace.
 */
export class RetroSpritesError extends Error {
  readonly code: string;
  /** What to do, when it names a setting: said as a plugin option in Vite, as a flag in the CLI. */
  readonly advice?: Advice;
  private readonly bare: string;
  constructor(code: string, message: string, options?: { cause?: unknown; advice?: Advice }) {
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
  /** A hint that names a setting, in each face's words (used instead of `hint`). */
  advice?: Advice;
}

export function formatDiagnostic(d: Diagnostic, root?: string, face?: Face): string {
  const where = formatLocation(d.location, root);
  const text = d.advice ? adviceText(d.advice, face) : d.hint;
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
