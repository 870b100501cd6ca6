import { Table, type Vector } from 'apache-arrow';
import { canDerive, deriveTable } from '../../cache/index.ts';
import { badInput } from '../../errors/index.ts';
import { withResolvedRanges, type AggregatePlan, type DatasetRequest } from '../../planner/index.ts';
import type { FusionConfig } from '../../schema/index.ts';
import type { AnswerOptions, DatasetAnswer, Gateway, SourceCall } from '../../server/gateway.ts';
import { limitProbe } from '../../server/limitProbe.ts';
import { runPlan, summarizeOutcomes } from '../../server/runPlan.ts';
import { fusedAnswer } from './fusedAnswers.ts';
import { hashJoin } from './hashJoin.ts';
import { memberKeys } from './memberPlan.ts';
import { planFusion } from './planFusion.ts';

/**
 * Answers a fusion query: every member is planned as its own aggregate over the keys and
 * answered through the cache (so each member core is cached on its own and reused), the
 * members run in parallel, their results are hash-joined on the keys in config order, and
 * having, order, limit, totals and calcs run on the fused rows. Each member carries the
 * caller's row policy for that member dataset.
 */
export async function answerFusion(gateway: Gateway, fusion: FusionConfig, asked: DatasetRequest, options: AnswerOptions): Promise<DatasetAnswer> {
  const view = fusion.view;
  // The where is on the keys: a time key's inRange resolves in the view's zone, at the gateway's clock.
  const { request, ranges } = withResolvedRanges({ ...asked, dataset: view.name }, view, gateway.now());
  const plans = gateway.plan(request, view);
  const { fused, members } = planFusion(gateway.config, fusion, plans, options.access);

  const calls: SourceCall[] = [];
  const settled = await Promise.allSettled(members.map(({ plan, dataset }) => runPlan(gateway, plan, dataset, options, calls).then((a) => ({ plan, answer: a }))));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason; // the members that answered stay cached
  const answers = settled.map((s) => (s as PromiseFulfilledResult<{ plan: AggregatePlan; answer: Awaited<ReturnType<typeof runPlan>> }>).value);

  const { rows, totals, truncated } = fusedAnswer(
    plans,
    answers.map((a) => a.answer.table),
    () => {
      const outKeys = fused.dimensions.map((d) => d.key);
      let table: Table = answers[0]!.answer.table;
      let tableKeys = memberKeys(fusion, answers[0]!.plan.dataset, fused);
      for (const { plan, answer } of answers.slice(1)) {
        // Without keys every member answered one row: the fused row is their columns side by side.
        table =
          outKeys.length === 0
            ? sideBySide(table, answer.table)
            : hashJoin(fusion.join, table, answer.table, tableKeys, memberKeys(fusion, plan.dataset, fused), outKeys);
        tableKeys = outKeys;
      }
      if (answers.length === 1) table = renameKeys(table, tableKeys, outKeys);

      const probe = plans.rows && limitProbe(plans.rows);
      const trimmed = probe && probe.trim(deriveTable(probe.plan, fused, table, view));
      let totals = null;
      if (plans.totals) {
        const verdict = canDerive(plans.totals, fused, view);
        if (!verdict.ok) throw badInput(`totals of fusion ${fusion.name}: ${verdict.reason}`);
        totals = { plan: plans.totals, table: deriveTable(plans.totals, fused, table, view) };
      }
      return { rows: trimmed ? { plan: plans.rows!, table: trimmed.table } : null, totals, truncated: trimmed?.truncated ?? false };
    },
  );
  return {
    rows,
    totals,
    calcs: plans.calcs,
    meta: {
      cache: summarizeOutcomes(answers.map((a) => a.answer.outcome)),
      sources: calls,
      ageMs: Math.max(0, ...answers.map((a) => a.answer.ageMs)),
      truncated,
      ranges,
    },
  };
}

/** A single-member fusion: the member's key columns take the fusion's key names. */
function renameKeys(table: Table, from: readonly string[], to: readonly string[]): Table {
  if (from.every((name, i) => name === to[i])) return table;
  const columns: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const i = from.indexOf(field.name);
    columns[i >= 0 ? to[i]! : field.name] = table.getChild(field.name)!;
  }
  return new Table(columns);
}

function sideBySide(left: Table, right: Table): Table {
  const columns: Record<string, Vector> = {};
  for (const t of [left, right]) for (const field of t.schema.fields) columns[field.name] = t.getChild(field.name)!;
  return new Table(columns);
}
