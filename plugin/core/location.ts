/** Where something came from in a manifest, 1-based like every editor shows it. */
export interface SourceLocation {
  /** Absolute path of the manifest file. */
  file: string;
  line: number;
  column: number;
}

export function formatLocation(loc: SourceLocation, root?: string): string {
  let file = loc.file;
  if (root && file.startsWith(root)) {
    file = file.slice(root.length).replace(/^[\\/]+/, '');
  }
  return `${file}:${loc.line}:${loc.column}`;
}
