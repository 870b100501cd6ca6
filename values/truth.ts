/**
 * SQL's three truth values (Kleene logic), as small numbers so a columnar evaluator can hold
 * one per row in a Uint8Array. A WHERE or HAVING clause keeps a row only when it is TRUE.
 */
export const FALSE = 0;
export const TRUE = 1;
/** The truth of a comparison with NULL, and of anything that depends on one. */
export const UNKNOWN = 2;

export type Truth = typeof FALSE | typeof TRUE | typeof UNKNOWN;

/** TRUE or FALSE for a known boolean. */
export function truthOf(holds: boolean): Truth {
  return holds ? TRUE : FALSE;
}

/** SQL AND: FALSE if either side is FALSE (even against UNKNOWN), else UNKNOWN if either is, else TRUE. */
export function and3(a: Truth, b: Truth): Truth {
  if (a === FALSE || b === FALSE) return FALSE;
  return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : TRUE;
}

/** SQL OR: TRUE if either side is TRUE (even against UNKNOWN), else UNKNOWN if either is, else FALSE. */
export function or3(a: Truth, b: Truth): Truth {
  if (a === TRUE || b === TRUE) return TRUE;
  return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : FALSE;
}

/** SQL NOT: swaps TRUE and FALSE; NOT UNKNOWN is UNKNOWN. */
export function not3(a: Truth): Truth {
  return a === UNKNOWN ? UNKNOWN : a === TRUE ? FALSE : TRUE;
}

/**
 * SQL AND over a list (`a AND b AND ...`; TRUE for none), each item's truth taken in turn
 * with `truth(item, context)`; stops at the first FALSE, which nothing after it can change.
 * The context is passed along rather than captured, so a per-row caller allocates no closure.
 */
export function every3<T, C>(items: readonly T[], truth: (item: T, context: C) => Truth, context: C): Truth {
  let out: Truth = TRUE;
  for (const item of items) {
    out = and3(out, truth(item, context));
    if (out === FALSE) return FALSE;
  }
  return out;
}

/** SQL OR over a list (FALSE for none), as `every3`; stops at the first TRUE. */
export function some3<T, C>(items: readonly T[], truth: (item: T, context: C) => Truth, context: C): Truth {
  let out: Truth = FALSE;
  for (const item of items) {
    out = or3(out, truth(item, context));
    if (out === TRUE) return TRUE;
  }
  return out;
}
