// Seeded choices. Every actor of the run (each customer, each usage sender, the kill schedule)
// draws from its own stream derived from the run's seed and its name, so its choices do not depend
// on how the actors happen to interleave: the same seed makes the same plan.
import { randomIndex, seededRandom } from '../../bench/lib/random.mjs';

/** FNV-1a over the name, mixed with the seed: a well-spread 32-bit seed per stream. */
function streamSeed(seed, name) {
  let hash = 0x811c9dc5 ^ seed;
  for (const character of name) hash = Math.imul(hash ^ character.codePointAt(0), 0x01000193);
  return hash >>> 0;
}

export function randomStream(seed, name) {
  const next = seededRandom(streamSeed(seed, name));
  return {
    next,
    /** A whole number in [min, max]. */
    between: (min, max) => min + randomIndex(next, max - min + 1),
    chance: (share) => next() < share,
    pick: (list) => list[randomIndex(next, list.length)],
    /** One key of {key: weight}, in proportion to its weight. */
    weighted(weights) {
      const entries = Object.entries(weights);
      let roll = next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [key, weight] of entries) {
        roll -= weight;
        if (roll < 0) return key;
      }
      return entries.at(-1)[0];
    },
  };
}
