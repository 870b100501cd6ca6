import { Field, RecordBatch, Schema, Struct, Table, makeData, util, type Data, type Vector } from 'apache-arrow';
import { combineKeys } from './combineKeys.ts';
import { encodeKeyPair } from './encodeKeyPair.ts';
import { readFlat } from './flatColumns.ts';
import { gatherColumn } from './gatherColumn.ts';
import { matchRows, type JoinKind } from './matchRows.ts';

export type { JoinKind } from './matchRows.ts';

const KINDS: readonly JoinKind[] = ['inner', 'left', 'full'];

/**
 * Joins two aggregated Arrow tables on equal key tuples, SQL semantics: a null key never
 * matches (in left/full joins such rows appear unmatched); keys compare by value (strings,
 * numbers — time keys are Float64 wall ms —, booleans). Output columns: `outKeys` (for each
 * key, the left value, or for right-only rows of a full join the right value), then every
 * non-key column of `left`, then every non-key column of `right`, with their Arrow types;
 * unmatched sides give nulls. Row order: matched and left-unmatched rows in left order
 * (for each left row, its matches in right order), then right-unmatched rows in right order.
 *
 * Each key is dictionary-encoded over both sides at once (equal values, equal codes; see
 * encodeKeyPair), composite keys fold into one code (combineKeys), the right side is
 * chained per code and probed in left order (matchRows), and the output columns are
 * gathered from flat typed arrays (gatherColumn). Duplicate keys give the cross product.
 */
export function hashJoin(
  kind: JoinKind,
  left: Table,
  right: Table,
  leftKeys: readonly string[],
  rightKeys: readonly string[],
  outKeys: readonly string[],
): Table {
  const keyPairs = getValidKeys(kind, left, right, leftKeys, rightKeys, outKeys);
  const leftRest = left.schema.fields.filter((f) => !leftKeys.includes(f.name));
  const rightRest = right.schema.fields.filter((f) => !rightKeys.includes(f.name));
  const taken = new Set(outKeys);
  for (const field of [...leftRest, ...rightRest]) {
    if (taken.has(field.name)) {
      throw new Error(
        `hashJoin: output column "${field.name}" would appear twice; non-key columns of the two sides must be distinct from each other and from the output keys (${outKeys.join(', ')})`,
      );
    }
    taken.add(field.name);
  }

  const flatKeys = keyPairs.map(([l, r]) => ({ left: readFlat(l), right: readFlat(r) }));
  // At least one key (getValidKeys), so reduce has a first element.
  const key = flatKeys.map((flat) => encodeKeyPair(flat.left, flat.right, left.numRows, right.numRows)).reduce(combineKeys);
  const pairs = matchRows(kind, key);
  const length = pairs.left.length;
  const fromLeft = (vector: Vector) => ({ column: readFlat(vector), at: pairs.left });
  const fromRight = (vector: Vector) => ({ column: readFlat(vector), at: pairs.right });
  const none = (at: Int32Array) => ({ column: null, at });

  const fields: Field[] = [];
  const children: Data[] = [];
  outKeys.forEach((name, i) => {
    const type = keyPairs[i]![0].type;
    fields.push(new Field(name, type, true));
    const flat = flatKeys[i]!;
    children.push(gatherColumn(type, length, { column: flat.left, at: pairs.left }, { column: flat.right, at: pairs.right }));
  });
  for (const field of leftRest) {
    fields.push(new Field(field.name, field.type, true, field.metadata));
    children.push(gatherColumn(field.type, length, fromLeft(left.getChild(field.name)!), none(pairs.right)));
  }
  for (const field of rightRest) {
    fields.push(new Field(field.name, field.type, true, field.metadata));
    children.push(gatherColumn(field.type, length, none(pairs.left), fromRight(right.getChild(field.name)!)));
  }
  const schema = new Schema(fields);
  return new Table(schema, new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children })));
}

/** The key columns of both sides, pairwise; misuse errors restate the contract. */
function getValidKeys(
  kind: JoinKind,
  left: Table,
  right: Table,
  leftKeys: readonly string[],
  rightKeys: readonly string[],
  outKeys: readonly string[],
): [Vector, Vector][] {
  if (!KINDS.includes(kind)) throw new Error(`hashJoin: expected kind inner, left or full; received: ${JSON.stringify(kind)}`);
  if (leftKeys.length === 0 || leftKeys.length !== rightKeys.length || leftKeys.length !== outKeys.length) {
    throw new Error(
      `hashJoin: expected as many left, right and output keys, at least one; received ${leftKeys.length} left (${leftKeys.join(', ')}), ${rightKeys.length} right (${rightKeys.join(', ')}), ${outKeys.length} output (${outKeys.join(', ')})`,
    );
  }
  for (const [side, keys] of [['left', leftKeys], ['right', rightKeys], ['output', outKeys]] as const) {
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice !== undefined) throw new Error(`hashJoin: ${side} key "${twice}" is listed twice`);
  }
  const column = (table: Table, side: string, name: string): Vector => {
    const vector = table.getChild(name);
    if (!vector) {
      throw new Error(`hashJoin: the ${side} table has no key column "${name}"; its columns: ${table.schema.fields.map((f) => f.name).join(', ')}`);
    }
    return vector;
  };
  return leftKeys.map((name, i) => {
    const l = column(left, 'left', name);
    const r = column(right, 'right', rightKeys[i]!);
    if (!util.compareTypes(l.type, r.type)) {
      throw new Error(`hashJoin: key "${outKeys[i]}" must have one type on both sides; left "${name}" is ${l.type}, right "${rightKeys[i]}" is ${r.type}`);
    }
    return [l, r];
  });
}
