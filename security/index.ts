/** Verified identity → role → row predicates and visible members, as plain data. */
export type { Access } from './Access.ts';
