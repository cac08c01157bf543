import { seeded } from './stats.mjs';

/**
 * A seeded set of pixel-art frames as the atlas builder sees them: a source size 8..128, the
 * opaque box left after trimming (a third of the frames have wide transparent borders, the rest a
 * pixel or two), and a tenth that repeat an earlier frame exactly (the builder packs those once).
 */
export function frameSet(n, seed) {
  const r = seeded(seed);
  const frames = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && r() < 0.1) {
      const of = Math.floor(r() * frames.length);
      frames.push({ ...frames[of], duplicateOf: frames[of].duplicateOf ?? of });
      continue;
    }
    const w = 8 + Math.floor(r() * 121);
    const h = 8 + Math.floor(r() * 121);
    const wide = r() < 0.33;
    const bw = wide ? Math.max(1, Math.floor(w * (0.3 + 0.4 * r()))) : Math.min(w, w - Math.floor(r() * 3));
    const bh = wide ? Math.max(1, Math.floor(h * (0.3 + 0.4 * r()))) : Math.min(h, h - Math.floor(r() * 3));
    const x = Math.floor(r() * (w - bw + 1));
    const y = Math.floor(r() * (h - bh + 1));
    frames.push({ w, h, box: { x, y, w: bw, h: bh } });
  }
  return frames;
}

/** The rectangles a packer gets: the trimmed boxes of the distinct frames. */
export function packInput(frames) {
  return frames.filter((f) => f.duplicateOf === undefined).map((f) => ({ w: f.box.w, h: f.box.h }));
}
