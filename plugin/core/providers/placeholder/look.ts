import { mix, TONES, type Rgb } from './palette.js';
import type { PromptReading } from './prompt.js';
import type { Rng } from './prng.js';

/** The colours one drawing uses: what the prompt named first, then sensible defaults for the subject. */
export interface Look {
  primary: Rgb;
  secondary: Rgb;
  accent: Rgb;
  skin: Rgb;
  hair: Rgb;
}

const SKINS: Rgb[] = [[236, 188, 150], [214, 160, 120], [176, 118, 80], [120, 80, 56], [246, 206, 176]];
const HAIRS: Rgb[] = [[92, 58, 36], [40, 32, 30], [220, 170, 80], [170, 70, 40], [200, 200, 210]];
const TINTS: Rgb[] = [[255, 220, 120], [120, 200, 255], [255, 120, 160], [140, 255, 160], [60, 40, 90], [255, 255, 255]];
const SPARE: Rgb[] = [TONES.red, TONES.blue, TONES.green, TONES.purple, TONES.gold, [230, 120, 36], [60, 200, 220]];

/** Colours a subject has when the prompt does not name one (a slime is green, a coin gold). */
const SUBJECT_COLOUR: Record<string, [Rgb, Rgb?]> = {
  knight: [TONES.steel, TONES.red], paladin: [TONES.steel, TONES.gold], robot: [TONES.steel, [60, 200, 220]],
  android: [TONES.steel, [60, 200, 220]], skeleton: [[226, 222, 206], TONES.purple], zombie: [[110, 150, 90], [90, 80, 120]],
  wizard: [TONES.purple, TONES.gold], mage: [TONES.blue, TONES.gold], witch: [[60, 50, 80], TONES.purple],
  ninja: [[60, 58, 76], TONES.red], king: [TONES.red, TONES.gold], queen: [TONES.purple, TONES.gold],
  slime: [TONES.green], blob: [[60, 200, 220]], ghost: [[220, 226, 240]], jelly: [[236, 120, 170]],
  corgi: [[226, 140, 60], TONES.white], dog: [[160, 110, 70], TONES.white], cat: [[120, 120, 130], TONES.white],
  fox: [[230, 120, 36], TONES.white], wolf: [[128, 132, 144], TONES.white], frog: [TONES.green], pig: [[236, 150, 160]],
  bat: [[90, 70, 110]], dragon: [[200, 48, 48], TONES.gold], bird: [TONES.blue], owl: [[150, 100, 60]],
  coin: [TONES.gold], gem: [[60, 200, 220]], jewel: [TONES.purple], diamond: [[160, 220, 240]], ruby: [TONES.red],
  emerald: [[40, 160, 100]], sapphire: [TONES.blue], crystal: [[150, 90, 210]], potion: [TONES.red],
  sword: [TONES.steel, TONES.wood], key: [TONES.gold], heart: [TONES.red], shield: [TONES.blue, TONES.steel],
  apple: [TONES.red], star: [TONES.gold], bomb: [[60, 60, 80]], orb: [TONES.purple], book: [[150, 60, 50], TONES.gold],
  scroll: [[230, 210, 160], TONES.red], ring: [TONES.gold, TONES.red], crown: [TONES.gold, TONES.red],
  mushroom: [TONES.red, TONES.white], tree: [TONES.leaf, TONES.wood], pine: [[40, 120, 70], TONES.wood],
  rock: [TONES.stone], boulder: [TONES.stone], chest: [TONES.wood, TONES.gold], treasure: [TONES.wood, TONES.gold],
  bush: [TONES.leaf], barrel: [TONES.wood, TONES.steel], crate: [[180, 130, 70], TONES.wood], flower: [[236, 120, 170], TONES.leaf],
  torch: [TONES.wood, [236, 150, 40]], sign: [TONES.wood], cactus: [[80, 160, 80]], house: [[200, 180, 150], TONES.red],
  grass: [TONES.leaf], water: [TONES.water], sand: [TONES.sand], dirt: [TONES.dirt], stone: [TONES.stone],
  bricks: [[170, 80, 60]], brick: [[170, 80, 60]], wall: [[150, 140, 130]], wood: [TONES.wood], planks: [TONES.wood],
  lava: [[236, 96, 32]], magma: [[236, 96, 32]], snow: [[230, 236, 246]], ice: [[160, 220, 240]], metal: [TONES.steel],
  cobblestone: [TONES.stone], moss: [[80, 140, 60]], ocean: [[40, 90, 180]], sea: [[40, 100, 190]], river: [TONES.water],
  button: [TONES.blue, TONES.gold], panel: [[90, 70, 60], TONES.gold],
};

export function lookFor(reading: PromptReading, rng: Rng, fallback: Rgb = TONES.green): Look {
  const named = SUBJECT_COLOUR[reading.subject];
  // Each variant leans its main colour a little toward a random tint, so seeds differ at a glance
  // while "red slime" stays red.
  const named0 = reading.colours[0] ?? named?.[0] ?? (reading.subject ? fallback : rng.pick(SPARE));
  const primary = mix(named0, rng.pick(TINTS), rng.range(6, 34));
  const secondary = reading.colours[1] ?? named?.[1] ?? rng.pick(SPARE.filter((c) => c !== named0));
  const accent = reading.colours[2] ?? (named0 === TONES.gold || secondary === TONES.gold ? TONES.steel : TONES.gold);
  return { primary, secondary, accent, skin: rng.pick(SKINS), hair: rng.pick(HAIRS) };
}
