/** An opaque colour. */
export type Rgb = readonly [number, number, number];

/**
 * Five shades of one material, darkest first: outline, shadow, base, light, highlight. Shadows lean
 * cool and highlights warm, the way pixel artists shift hue, so two or three steps read as volume.
 */
export type Ramp = readonly [Rgb, Rgb, Rgb, Rgb, Rgb];

export const SHADE = { outline: 0, shadow: 1, base: 2, light: 3, highlight: 4 } as const;

/** Integer mix of two colours, t in 0..256. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [
    (a[0] * (256 - t) + b[0] * t + 128) >> 8,
    (a[1] * (256 - t) + b[1] * t + 128) >> 8,
    (a[2] * (256 - t) + b[2] * t + 128) >> 8,
  ];
}

const COOL_DARK: Rgb = [22, 14, 44];
const WARM_LIGHT: Rgb = [255, 244, 196];

export function ramp(base: Rgb): Ramp {
  return [mix(base, COOL_DARK, 200), mix(base, COOL_DARK, 96), base, mix(base, WARM_LIGHT, 72), mix(base, WARM_LIGHT, 150)];
}

/** Colour words a prompt may use, with the base tone each one stands for. */
export const COLOUR_WORDS: Record<string, Rgb> = {
  red: [200, 48, 48],
  crimson: [170, 30, 50],
  scarlet: [214, 40, 36],
  orange: [230, 120, 36],
  amber: [226, 150, 30],
  yellow: [236, 204, 52],
  gold: [228, 176, 40],
  golden: [228, 176, 40],
  green: [72, 168, 64],
  lime: [150, 210, 60],
  emerald: [40, 160, 100],
  teal: [40, 150, 150],
  cyan: [60, 200, 220],
  blue: [56, 96, 208],
  azure: [70, 140, 230],
  navy: [36, 50, 120],
  purple: [140, 70, 190],
  violet: [150, 90, 210],
  magenta: [200, 60, 170],
  pink: [236, 120, 170],
  brown: [140, 90, 50],
  white: [226, 228, 236],
  black: [52, 48, 62],
  grey: [128, 132, 144],
  gray: [128, 132, 144],
  silver: [176, 184, 198],
  steel: [140, 150, 168],
  iron: [120, 124, 134],
  bronze: [184, 118, 60],
  copper: [196, 110, 70],
  tan: [206, 170, 120],
  beige: [214, 196, 160],
  ice: [160, 220, 240],
  icy: [160, 220, 240],
  fire: [236, 96, 32],
  fiery: [236, 96, 32],
  dark: [64, 56, 84],
  wooden: [150, 96, 52],
  wood: [150, 96, 52],
  leafy: [72, 164, 60],
  grassy: [72, 164, 60],
  rusty: [160, 84, 48],
  mossy: [90, 140, 70],
  shadow: [64, 56, 84],
};

/** Named tones the drawings use when the prompt does not say. */
export const TONES = {
  skin: [236, 180, 140] as Rgb,
  steel: [150, 160, 178] as Rgb,
  gold: [228, 176, 40] as Rgb,
  wood: [150, 96, 52] as Rgb,
  leaf: [72, 164, 60] as Rgb,
  stone: [128, 130, 140] as Rgb,
  white: [240, 240, 246] as Rgb,
  eye: [24, 20, 36] as Rgb,
  red: [200, 48, 48] as Rgb,
  blue: [56, 96, 208] as Rgb,
  green: [72, 168, 64] as Rgb,
  purple: [140, 70, 190] as Rgb,
  water: [50, 120, 210] as Rgb,
  sand: [222, 196, 130] as Rgb,
  dirt: [130, 88, 56] as Rgb,
};

/** A calm background that lets any sprite read, tinted toward the sprite's main colour. */
export function backgroundFor(main: Rgb): Rgb {
  return mix([40, 44, 58], main, 40);
}

export function luminance(c: Rgb): number {
  return (c[0] * 77 + c[1] * 150 + c[2] * 29) >> 8;
}

export function colourDistance(a: Rgb, b: Rgb): number {
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  // Weighted toward green the way the eye is, still integer.
  return dr * dr * 3 + dg * dg * 4 + db * db * 2;
}
