import type { Source } from '../sources/index.ts';
import type { PartitionPosition } from './PartitionWindows.ts';

/** The offsets table's name: it lives beside the landing table, in its schema. */
const OFFSETS_TABLE = 'tributary_landing_offsets';

/** A stored position of one partition of one topic, for one landing consumer group. */
export interface StoredPosition extends PartitionPosition {
  readonly partition: number;
}

/**
 * The landing positions of each (consumer group, topic, partition), in a table beside the
 * landing table. A position is written in the same statement as the windows it follows
 * (LandingWriter), so the table and the landed windows always agree; Kafka's committed
 * offsets are not used. A position only moves forward: a replica that lost a partition and
 * writes late cannot move it back.
 */
export class LandingOffsets {
  readonly table: string;

  constructor(
    private readonly source: Source,
    landingTable: string,
    readonly groupId: string,
    readonly topic: string,
  ) {
    const parts = landingTable.split('.');
    this.table = [...parts.slice(0, -1), OFFSETS_TABLE].map(source.dialect.quoteIdent).join('.');
  }

  /** Creates the table when it does not exist. */
  async ensureTable(): Promise<void> {
    await this.run(
      `create table if not exists ${this.table} (group_id text not null, topic text not null, "partition" integer not null, ` +
        `next_offset bigint not null, watermark double precision not null, updated_at timestamptz not null default now(), ` +
        `primary key (group_id, topic, "partition"))`,
      [],
    );
  }

  /** The stored positions of `partitions` (those never landed are absent). */
  async read(partitions: readonly number[]): Promise<Map<number, PartitionPosition>> {
    const result = await this.source.execute({
      sql: `select "partition", next_offset::text, watermark from ${this.table} where group_id = $1 and topic = $2 and "partition" = any($3::integer[])`,
      params: [this.groupId, this.topic, [...partitions]],
      columns: [
        { name: 'partition', type: 'number' },
        { name: 'offset', type: 'string' },
        { name: 'watermark', type: 'number' },
      ],
    });
    const positions = new Map<number, PartitionPosition>();
    const [partition, offset, watermark] = ['partition', 'offset', 'watermark'].map((c) => result.getChild(c)!);
    for (let i = 0; i < result.numRows; i++) {
      positions.set(Number(partition!.get(i)), { offset: Number(offset!.get(i)), watermark: Number(watermark!.get(i)) });
    }
    return positions;
  }

  /**
   * Stores first positions for partitions that have none, unless another replica stored one
   * first, then reads what is stored: every replica resumes a partition from the same start.
   */
  async claim(first: readonly StoredPosition[]): Promise<Map<number, PartitionPosition>> {
    if (first.length > 0) {
      const { sql, params } = this.upsert(first, 'claim', 0);
      await this.run(sql, params);
    }
    return this.read(first.map((p) => p.partition));
  }

  /**
   * The statement that stores `positions` (parameters from `$<firstParam + 1>`): `advance`
   * moves each stored position forward only; `claim` writes only where none is stored.
   */
  upsert(positions: readonly StoredPosition[], mode: 'advance' | 'claim', firstParam: number): { sql: string; params: unknown[] } {
    const $ = (i: number) => `$${firstParam + i}`;
    const params = [
      positions.map(() => this.groupId),
      positions.map(() => this.topic),
      positions.map((p) => p.partition),
      positions.map((p) => String(p.offset)),
      positions.map((p) => p.watermark),
    ];
    const conflict =
      mode === 'claim'
        ? 'do nothing'
        : `do update set next_offset = excluded.next_offset, watermark = excluded.watermark, updated_at = now() where (${this.table}.next_offset, ${this.table}.watermark) <= (excluded.next_offset, excluded.watermark)`;
    const sql =
      `insert into ${this.table} (group_id, topic, "partition", next_offset, watermark) ` +
      `select * from unnest(${$(1)}::text[], ${$(2)}::text[], ${$(3)}::integer[], ${$(4)}::bigint[], ${$(5)}::double precision[]) ` +
      `on conflict (group_id, topic, "partition") ${conflict}`;
    return { sql, params };
  }

  private async run(sql: string, params: unknown[]): Promise<void> {
    await this.source.execute({ sql, params, columns: [] });
  }
}
