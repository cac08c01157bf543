import type { RgbaImage } from '../image/bitmap.js';
import type { Box } from '../image/trim.js';
import type { GeneratedImage } from '../providers/provider.js';
import type { GenerationRequest, KeyedRequest } from '../request.js';
import type { AnimationSpec, NamedImage } from './frames.js';
import type { BuiltTileset } from '../tileset/sheet.js';

export interface AtlasOptions {
  /** Largest page side (default 2048, what every WebGL device supports). */
  maxSize?: number;
  /** Transparent pixels between frames (default 2). */
  padding?: number;
  /** Edge pixels repeated outward into the padding (default 1), so filtering never samples a neighbour. */
  extrude?: number;
  /** Power-of-two page sizes (default false; WebGL2 does not need them). */
  pot?: boolean;
  /** Cut transparent borders (default true); Phaser restores them from `spriteSourceSize`. */
  trim?: boolean;
}

export interface SpriteSource {
  request: GenerationRequest;
  images: GeneratedImage[];
}

/** A frame ready to be placed: its pixels as they go on a page (trimmed), and where they sit in the frame. */
export interface CutFrame extends Pick<AtlasFrame, 'name' | 'sourceSize' | 'pivot' | 'scale9Borders'> {
  pixels: RgbaImage;
  /** Where `pixels` sit inside the untrimmed frame (Phaser's `spriteSourceSize`). */
  box: Box;
}

/**
 * A sprite taken from its atlas's last build instead of its answer (atlas-memo.ts): what it
 * became there, and its frames as they lay on that build's pages.
 */
export interface CarriedSprite {
  request: KeyedRequest;
  output: SpriteOutput;
  frames: CutFrame[];
  animations: AnimationSpec[];
  images: NamedImage[];
}

/** Where one frame of an atlas lies, in the terms of Phaser's JSON Hash. */
export interface AtlasFrame {
  name: string;
  /** Index of the page (texture source) holding the frame. */
  page: number;
  frame: Box;
  trimmed: boolean;
  /** Where the trimmed pixels sit inside the untrimmed frame. */
  spriteSourceSize: Box;
  sourceSize: { w: number; h: number };
  pivot?: { x: number; y: number };
  /** A nine-slice panel's stretchable centre (`nine_slice:`), as Phaser's atlas parsers read it. */
  scale9Borders?: { x: number; y: number; w: number; h: number };
}

export interface BuiltAtlas {
  /** Phaser texture key. */
  atlas: string;
  pages: RgbaImage[];
  /** Sorted by name. */
  frames: AtlasFrame[];
  /** Sorted by key; frames refer to `atlas`. */
  animations: AnimationSpec[];
  /** Tiling sprites: written as standalone images, never packed. Sorted by name. */
  images: NamedImage[];
  /** Tileset sprites: a standalone image of spaced, extruded tiles plus a Tiled tileset. Sorted by name. */
  tilesets: BuiltTileset[];
  /** Frame pixels over page pixels (0..1); 1 when there are no pages. */
  occupancy: number;
  /** What each sprite of the group became, by sprite name: frame, animation and tile image names. */
  sprites: Record<string, SpriteOutput>;
}

/** The names one manifest sprite produced. */
export interface SpriteOutput {
  frames: string[];
  animations: string[];
  /** The same animations by action and direction (`walk.down`; `default.default` for a plain animation). */
  actions: Record<string, Record<string, string>>;
  images: string[];
  /** The tileset this sprite became (its name), if any. */
  tilesets?: string[];
}
