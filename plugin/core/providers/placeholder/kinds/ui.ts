import { TONES, mix } from '../palette.js';
import type { Look } from '../look.js';
import type { Sprite } from '../sprite.js';
import type { Box } from './creature.js';

/** A button, a bar, or a framed panel, filling the box (UI art is full-size by nature). */
export function drawUi(s: Sprite, b: Box, subject: string, look: Look): void {
  const frame = s.material(look.secondary);
  const face = s.material(look.primary);
  const inner = s.material(mix(look.primary, [20, 16, 30], 90));
  const text = s.material(mix(TONES.white, look.primary, 40));
  const x0 = b.x + 1;
  const y0 = b.y + 1;
  const w = b.w - 2;
  const h = b.h - 2;
  const u = Math.max(1, Math.round(Math.min(w, h) / 16));
  const rounded = (x: number, y: number, ww: number, hh: number, m: number, shade = -1): void => {
    s.rect(x + u, y, ww - 2 * u, hh, m, shade);
    s.rect(x, y + u, ww, hh - 2 * u, m, shade);
  };
  if (subject === 'bar' || subject === 'healthbar') {
    const bh = Math.max(4, Math.round(h * 0.4));
    const by = y0 + ((h - bh) >> 1);
    rounded(x0, by, w, bh, frame);
    s.rect(x0 + 2 * u, by + 2 * u, w - 4 * u, bh - 4 * u, inner, 1);
    s.rect(x0 + 2 * u, by + 2 * u, Math.round((w - 4 * u) * 0.7), bh - 4 * u, face);
    return;
  }
  const button = subject === 'button' || subject === 'slot' || subject === 'badge' || subject === 'ui';
  rounded(x0, y0, w, h, frame);
  rounded(x0 + 2 * u, y0 + 2 * u, w - 4 * u, h - 4 * u, button ? face : inner);
  // Corner rivets.
  for (const [cx, cy] of [[x0 + u, y0 + u], [x0 + w - 2 * u, y0 + u], [x0 + u, y0 + h - 2 * u], [x0 + w - 2 * u, y0 + h - 2 * u]] as const) {
    s.rect(cx, cy, u, u, frame, 4);
  }
  // An empty frame: a plain middle, what a stretchable (nine-slice) panel needs.
  if (subject === 'frame') return;
  if (button) {
    // A placeholder label: a light bar where the text will go.
    const lw = Math.round(w * 0.5);
    const lh = Math.max(1, Math.round(h * 0.14));
    s.rect(x0 + ((w - lw) >> 1), y0 + ((h - lh) >> 1), lw, lh, text, 3);
    return;
  }
  // A title strip and a few lines of placeholder text.
  const titleH = Math.max(2, Math.round(h * 0.16));
  s.rect(x0 + 2 * u, y0 + 2 * u, w - 4 * u, titleH, face);
  s.rect(x0 + 4 * u, y0 + 2 * u + (titleH >> 1) - (u >> 1), Math.round(w * 0.4), Math.max(1, u), text, 3);
  for (let i = 0, y = y0 + 4 * u + titleH; y < y0 + h - 4 * u; i++, y += 3 * u) {
    const lw = Math.round((w - 8 * u) * (i % 3 === 2 ? 0.6 : 0.9));
    s.rect(x0 + 4 * u, y, lw, Math.max(1, u), text, 2);
  }
}
