import { seededRandom } from "@converge/core";

/** A seeded generator (core's mulberry32): the same seed gives the same sequence everywhere. */
export const mulberry32: (seed: number) => () => number = seededRandom;

/** FNV-1a hash of a text to a 32-bit unsigned seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
