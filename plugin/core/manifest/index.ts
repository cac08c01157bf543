/**
 * The manifest language: YAML files that list sprites, read with positions so every mistake is
 * reported at its file:line:col, and turned into the exact requests the API receives.
 */
export { DEFAULT_MANIFEST_GLOB, loadManifests, type LoadOptions, type ManifestPlan } from './load.js';
export { manifestJsonSchema, manifestJsonSchemaText, FIELD_DOCS, type FieldDoc, type ManifestEntry } from './schema.js';
export { manifestReferenceMarkdown } from './reference.js';
