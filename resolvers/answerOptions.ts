import type { AnswerOptions } from '../server/gateway.ts';
import type { RequestContext } from './RequestContext.ts';

/** What every answer of a request carries from its context: cancellation, caller, source slots. */
export function answerOptions(ctx: RequestContext, extra: Partial<AnswerOptions> = {}): AnswerOptions {
  return { signal: ctx.signal, access: ctx.access, sourceSlots: ctx.sourceSlots, ...extra };
}
