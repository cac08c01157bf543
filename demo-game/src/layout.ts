/** The game's view (scaled up to fit the window) and the world the camera follows the hero through. */
export const VIEW_WIDTH = 480;
export const VIEW_HEIGHT = 270;
export const WORLD_WIDTH = 720;
export const WORLD_HEIGHT = 420;

export const HERO_START = { x: 150, y: 220 } as const;
export const HERO_SPEED = 90;
export const START_HEARTS = 3;

/** Shared state between the world and the HUD, kept in the game registry. */
export const STATE = { score: 'score', hearts: 'hearts', gems: 'gems' } as const;

type Spot = readonly [x: number, y: number];

// Hand-placed so the lane right of the hero's start stays open (the browser test walks it).
export const TREES: readonly Spot[] = [[40, 70], [110, 40], [300, 60], [520, 50], [660, 90], [30, 300], [690, 320], [470, 400], [90, 410]];
export const PINES: readonly Spot[] = [[200, 30], [610, 30], [60, 180], [700, 200], [380, 410], [260, 400]];
export const BUSHES: readonly Spot[] = [[160, 110], [470, 150], [560, 260], [350, 350], [640, 400]];
export const MUSHROOMS: readonly Spot[] = [[180, 120], [430, 300], [600, 150], [70, 250], [340, 110], [520, 360]];
export const ROCKS: readonly Spot[] = [[250, 150], [470, 200], [150, 340], [600, 330]];
export const STATUE: Spot = [380, 170];
export const CHEST: Spot = [420, 330];
export const COINS: readonly Spot[] = [[200, 200], [240, 250], [290, 210], [350, 260], [410, 240], [500, 120],
  [560, 190], [230, 100], [120, 280], [470, 350], [540, 320], [660, 150], [300, 370], [200, 380]];
export const ENEMIES: readonly { sprite: 'slime' | 'bat'; at: Spot }[] = [
  { sprite: 'slime', at: [300, 300] },
  { sprite: 'bat', at: [420, 110] },
];
