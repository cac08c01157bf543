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
  /** Newer API: answer the price, generate nothing. Never part of a cache key. */
  check_cost?: boolean;
  /** Newer API: more references, each raw base64 of an RGB PNG like `input_image` (RD Pro, some animations). */
  reference_images?: string[];
  /** Newer API: animation length (4, 6, 8, 10, 12 or 16). */
  frames_duration?: number;
  /** Newer API, `rd_tile__tileset_advanced`: the second terrain, in words and as a reference. */
  extra_prompt?: string;
  extra_input_image?: string;
  /** Newer API: send the prompt as written, without the API's expansion. */
  bypass_prompt_expansion?: boolean;
  /** Newer API: the answer also carries `downloadable_data` (not kept in the cache). */
  include_downloadable_data?: boolean;
}
