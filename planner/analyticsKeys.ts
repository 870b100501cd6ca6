/**
 * Row keys of the analytics values a row carries besides its measures, shared by the
 * resolvers (which read them) and the analytics engine (which writes them), so the two
 * never disagree on a spelling.
 */

/** `revenue(rolling: "7d")` → `revenue@rolling(7d)`; the window text is normalized (lower case, no spaces). */
export function rollingKey(measure: string, window: string): string {
  return `${measure}@rolling(${normalizeWindow(window)})`;
}

export function normalizeWindow(window: string): string {
  return window.toLowerCase().replace(/\s+/g, '');
}

/** The object a row carries under this key holds `previous { ... }`'s measures (null when there is no previous row). */
export const PREVIOUS_KEY = '@previous';

/** calc's `total(revenue)` reads the row key `total(revenue)`. */
export function totalKey(measure: string): string {
  return `total(${measure})`;
}

/** calc's `parent(revenue, region, channel)` reads `parent(revenue,channel,region)` (dimensions sorted). */
export function parentKey(measure: string, dimensions: readonly string[]): string {
  return `parent(${[measure, ...[...dimensions].sort()].join(',')})`;
}

/** calc's `previous.revenue` reads `previous.revenue`. */
export function previousRefKey(measure: string): string {
  return `previous.${measure}`;
}
