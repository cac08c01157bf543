/** The payload of the `retro-sprites:update` HMR event: everything needed to swap art in place. */
export interface RetroSpritesUpdate {
  /** Atlases whose art changed, with their parsed JSON (JSON Hash or multiatlas) and page URLs. */
  atlases: { key: string; json: unknown; images: string[] }[];
  /** Standalone (tiling and tileset) images whose art changed; tilemap layers using them are re-pointed. */
  images: { key: string; url: string }[];
  /** Animation definitions of the changed atlases, in Phaser's `anims.fromJSON` shape. */
  anims: { anims: unknown[] }[];
  /** True when the manifests are valid again: the error overlay, if any, can go. */
  clearError: boolean;
}
