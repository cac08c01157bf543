import { formatLocation, type SourceLocation } from './location.js';

/**
 * Base of every error a user may see. `message` is written for a person: what went wrong,
 * where, and what to do. The CLI and the Vite plugin print it without a stack trace.
 */
export class RetroSpritesError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
