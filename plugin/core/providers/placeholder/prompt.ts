import { COLOUR_WORDS, type Rgb } from './palette.js';

export type Kind = 'creature' | 'item' | 'prop' | 'texture' | 'ui';

/** The body plan of a creature; each is drawn by its own routine. */
export type Body = 'humanoid' | 'blob' | 'beast' | 'flyer' | 'monster';

export interface PromptReading {
  kind: Kind;
  /** The subject word that decided the kind, or '' when none was recognised. */
  subject: string;
  body: Body;
  /** Colours in the order the prompt names them. */
  colours: Rgb[];
  words: string[];
}

const HUMANOIDS = ['knight', 'hero', 'heroine', 'warrior', 'wizard', 'mage', 'witch', 'robot', 'android', 'soldier',
  'king', 'queen', 'prince', 'princess', 'paladin', 'archer', 'ranger', 'rogue', 'thief', 'ninja', 'samurai',
  'pirate', 'viking', 'zombie', 'skeleton', 'villager', 'farmer', 'merchant', 'person', 'man', 'woman', 'boy',
  'girl', 'character', 'player', 'npc', 'astronaut', 'cowboy', 'elf', 'dwarf', 'orc', 'goblin', 'vampire',
  'priest', 'cleric', 'monk', 'guard', 'adventurer', 'hunter', 'chef', 'doctor', 'scientist', 'golem'];
const BLOBS = ['slime', 'blob', 'jelly', 'ooze', 'ghost', 'spirit', 'wisp', 'jellyfish'];
const BEASTS = ['corgi', 'dog', 'puppy', 'cat', 'kitten', 'wolf', 'fox', 'bear', 'pig', 'cow', 'horse', 'rabbit',
  'bunny', 'mouse', 'rat', 'frog', 'lion', 'tiger', 'boar', 'sheep', 'goat', 'deer', 'panda', 'monkey', 'hamster',
  'raccoon', 'animal', 'pet', 'beast', 'critter'];
const FLYERS = ['bat', 'bird', 'owl', 'crow', 'eagle', 'dragon', 'wyvern', 'butterfly', 'bee', 'moth', 'fairy',
  'phoenix', 'chicken', 'duck', 'parrot', 'angel', 'demon'];
const MONSTERS = ['monster', 'creature', 'enemy', 'alien', 'beholder', 'spider', 'crab', 'octopus', 'imp', 'troll',
  'boss', 'mimic', 'eyeball', 'bug', 'beetle', 'insect', 'worm', 'snake', 'squid', 'mushroomman'];

export const ITEMS = ['coin', 'gem', 'jewel', 'diamond', 'crystal', 'ruby', 'emerald', 'sapphire', 'potion',
  'flask', 'bottle', 'elixir', 'sword', 'blade', 'dagger', 'key', 'heart', 'shield', 'apple', 'fruit', 'food',
  'star', 'scroll', 'book', 'tome', 'ring', 'amulet', 'bow', 'axe', 'hammer', 'staff', 'wand', 'bomb', 'orb',
  'meat', 'bread', 'cheese', 'mushroom', 'feather', 'bone', 'helmet', 'boots', 'armor', 'crown', 'trophy', 'cup',
  'pickaxe', 'arrow', 'carrot', 'berry', 'egg', 'map', 'letter', 'card', 'pearl', 'bag', 'pouch'];
const PROPS = ['tree', 'pine', 'oak', 'palm', 'rock', 'boulder', 'stone', 'chest', 'treasure', 'bush', 'shrub',
  'barrel', 'crate', 'box', 'flower', 'plant', 'cactus', 'house', 'hut', 'tent', 'sign', 'signpost', 'torch',
  'lamp', 'fence', 'well', 'statue', 'pillar', 'column', 'door', 'table', 'chair', 'bed', 'campfire', 'fire',
  'pot', 'vase', 'tombstone', 'grave', 'stump', 'log', 'anvil', 'altar', 'fountain'];
const TEXTURES = ['grass', 'stone', 'bricks', 'brick', 'wall', 'water', 'sand', 'dirt', 'mud', 'soil', 'wood',
  'planks', 'floor', 'lava', 'snow', 'ice', 'metal', 'cobblestone', 'cobble', 'tiles', 'tile', 'gravel', 'moss',
  'ground', 'terrain', 'ocean', 'sea', 'river', 'lake', 'path', 'road', 'carpet', 'fabric', 'marble', 'rocks',
  'leaves', 'hay', 'desert', 'swamp', 'magma'];
/** Words that make any prompt a texture, whatever material it names. */
const TEXTURE_MARKERS = ['texture', 'pattern', 'seamless', 'tileable', 'tiling', 'background'];
const UIS = ['button', 'panel', 'ui', 'menu', 'window', 'dialog', 'frame', 'hud', 'bar', 'healthbar', 'slot',
  'inventory', 'banner', 'badge'];

/** When a prompt names several things, the subject is the highest ranked ("knight with a sword"). */
const KIND_RANK: Record<Kind, number> = { ui: 5, creature: 4, item: 3, prop: 2, texture: 1 };

export function words(prompt: string): string[] {
  return prompt
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .map(singular);
}

function singular(w: string): string {
  if (w === 'bricks' || w === 'rocks' || w === 'leaves' || w === 'tiles' || w === 'planks' || w === 'boots') return w;
  if (w.length > 3 && w.endsWith('es') && /(ch|sh|x|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export function readPrompt(prompt: string): PromptReading {
  const ws = words(prompt);
  const colours: Rgb[] = [];
  for (const w of ws) {
    const c = COLOUR_WORDS[w];
    if (c) colours.push(c);
  }
  let best: { kind: Kind; subject: string; body: Body; rank: number } | undefined;
  for (const w of ws) {
    const found = classify(w);
    if (!found) continue;
    const rank = KIND_RANK[found.kind];
    // Ties go to the first word: "knight with a sword" is a knight.
    if (!best || rank > best.rank) best = { ...found, subject: w, rank };
  }
  if (ws.some((w) => TEXTURE_MARKERS.includes(w))) {
    const material = ws.find((w) => TEXTURES.includes(w)) ?? '';
    return { kind: 'texture', subject: material, body: 'monster', colours, words: ws };
  }
  if (!best) return { kind: 'creature', subject: '', body: 'monster', colours, words: ws };
  return { kind: best.kind, subject: best.subject, body: best.body, colours, words: ws };
}

function classify(w: string): { kind: Kind; body: Body } | undefined {
  if (HUMANOIDS.includes(w)) return { kind: 'creature', body: 'humanoid' };
  if (BLOBS.includes(w)) return { kind: 'creature', body: 'blob' };
  if (BEASTS.includes(w)) return { kind: 'creature', body: 'beast' };
  if (FLYERS.includes(w)) return { kind: 'creature', body: 'flyer' };
  if (MONSTERS.includes(w)) return { kind: 'creature', body: 'monster' };
  if (UIS.includes(w)) return { kind: 'ui', body: 'monster' };
  if (TEXTURES.includes(w)) return { kind: 'texture', body: 'monster' };
  if (ITEMS.includes(w)) return { kind: 'item', body: 'monster' };
  if (PROPS.includes(w)) return { kind: 'prop', body: 'monster' };
  return undefined;
}
