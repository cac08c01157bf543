/**
 * The JSON body of `POST /v1/inferences`, field for field as shared/retrodiffusion-api.md documents
 * it. Images are raw base64 of an RGB PNG (no `data:` prefix). Optional fields are omitted, never
 * sent as `undefined`, so the body the server sees is exactly what the manifest said.
 */
export interface ApiPayload {
  model?: string;
  prompt: string;
  prompt_style?: string;
  width: number;
  height: number;
  num_images: number;
  seed?: number;
  input_image?: string;
  strength?: number;
  input_palette?: string;
  remove_bg?: boolean;
  tile_x?: boolean;
  tile_y?: boolean;
  return_spritesheet?: boolean;
  /** 1 = native resolution; `null` = the API's regular (upscaled) size. */
  upscale_output_factor?: number | null;
  // --- tilesets (issue 19) ---
  /** `rd_tile__tileset_advanced`: the second terrain, in words. */
  extra_prompt?: string;
  /** `rd_tile__tileset_advanced`: the second terrain's reference, raw base64 of an RGB PNG. */
  extra_input_image?: string;
  // --- end tilesets ---
  /** Newer API: answer the price, generate nothing. Never part of a cache key. */
  check_cost?: boolean;
}
