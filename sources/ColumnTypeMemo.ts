import { columnTypesFromOids, type ColumnTypes } from '../planner/index.ts';

/** The column types of the relations a source has described, bounded (one entry per dataset relation in practice). */
export class ColumnTypeMemo {
  private readonly byRelation = new Map<string, ColumnTypes>();

  remember(relation: string, fields: readonly { readonly name: string; readonly dataTypeID: number }[]): void {
    if (this.byRelation.size >= 1_000) this.byRelation.clear();
    this.byRelation.set(relation, columnTypesFromOids(fields));
  }

  get(relation: string): ColumnTypes | undefined {
    return this.byRelation.get(relation);
  }
}
