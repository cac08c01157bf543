/**
 * vite-plugin-retro-sprites: YAML manifests in, RetroDiffusion pixel art and Phaser atlases out.
 */
export type { ApiPayload } from './core/payload.js';
export type { GenerationRequest, KeyedRequest, SpriteOptions } from './core/request.js';
export type { AnimationLayout } from './core/animation-layout.js';
export type { SourceLocation } from './core/location.js';
export type { Provider, GeneratedImage, GenerationResult, Cost } from './core/providers/provider.js';
export { RetroSpritesError, ManifestError, type Diagnostic } from './core/errors.js';
