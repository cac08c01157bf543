import type { Logger } from 'vite';
import { formatDiagnostic, type Diagnostic } from '../core/errors.js';

/**
 * Manifest warnings (an animation style's size normalized, …) in Vite's terminal, as
 * `file:line:col: warning: …`. A run that finds the same warnings as the last one says nothing
 * again: the dev server refreshes on every save.
 */
export function manifestWarnings(logger: () => Logger, root: () => string): (warnings: readonly Diagnostic[]) => void {
  let last = '';
  return (warnings) => {
    const lines = warnings.map((w) => `retro-sprites: ${formatDiagnostic(w, root(), 'vite')}`);
    const key = lines.join('\n');
    if (key === last) return;
    last = key;
    for (const line of lines) logger().warn(line);
  };
}
