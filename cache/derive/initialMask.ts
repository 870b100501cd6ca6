const INITIAL_SLOTS_CAP = 4096;

/**
 * The initial power-of-two mask of a dictionary's slots for `rows` rows. Key columns of
 * aggregates often have few distinct values (regions, months), and a table sized for
 * every row would spill out of the CPU caches, so it starts small and doubles as values
 * arrive.
 */
export function initialMask(rows: number): number {
  let size = 64;
  while (size < rows * 2 && size < INITIAL_SLOTS_CAP) size *= 2;
  return size - 1;
}
