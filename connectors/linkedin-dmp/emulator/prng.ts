/** Seeded randomness, so fault injection, minted tokens and matchedCount repeat run to run. */

/** mulberry32: a tiny 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable float in [0, 1) for (seed, key), independent of call order. */
export function stableFraction(seed: number, key: number): number {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ key) >>> 0)();
}
