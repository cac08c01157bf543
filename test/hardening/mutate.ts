import fc from 'fast-check';

/** One damage done to a file: bytes flipped, the tail cut off, or junk inserted, at relative positions. */
export type Mutation =
  | { kind: 'flip'; at: number[]; xor: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 6 }),
    xor: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 6, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
);

export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const pos = (f: number) => Math.min(bytes.length - 1, Math.floor(f * bytes.length));
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      m.at.forEach((f, i) => {
        out[pos(f)]! ^= m.xor[i]!;
      });
      return out;
    }
    case 'truncate':
      return bytes.slice(0, pos(m.at));
    case 'insert': {
      const at = Math.min(bytes.length, Math.floor(m.at * bytes.length));
      return new Uint8Array([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    }
  }
}
