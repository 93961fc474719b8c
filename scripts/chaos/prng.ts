/** A seeded PRNG for the chaos run: the same --seed plans the same positions, payments and faults. */
import { seededRandom } from '../../infra/local/simulators/app-io/prng';

export interface Prng {
  next(): number;
  chance(p: number): boolean;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  hex(chars: number): string;
  /** an independent stream derived from this one (e.g. for a simulator) */
  fork(): () => number;
}

export function createPrng(seed: number): Prng {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    chance: (p) => next() < p,
    int,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    hex: (chars) => Array.from({ length: chars }, () => '0123456789abcdef'[int(0, 15)]).join(''),
    fork: () => seededRandom(int(1, 2 ** 31 - 1)),
  };
}
