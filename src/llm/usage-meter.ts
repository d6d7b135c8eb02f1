/**
 * Token usage and cost of one AI node run, and the workflow's per-execution budget gate: before each
 * LLM call the execution's usage so far (finished node rows plus this node's running total) is
 * compared with `workflows.budget_tokens` / `budget_usd`, and the run stops with a clear error when
 * a limit is reached.
 */
import type { TokenUsage } from '../nodes/define-node.js';
import type { AiNodeContext } from './ai-node-context.js';
import { costUsd, loadPriceTable, type ModelPrice } from './pricing.js';

export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
  readonly code = 'budget_exceeded';
}

export class UsageMeter {
  input = 0;
  output = 0;
  calls = 0;
  cost = 0;
  toolInvocations = 0;
  private prices: ModelPrice[] | null = null;

  constructor(
    private readonly ctx: AiNodeContext,
    carried?: Partial<TokenUsage>,
  ) {
    if (carried) {
      this.input = carried.input_tokens ?? 0;
      this.output = carried.output_tokens ?? 0;
      this.calls = carried.llm_calls ?? 0;
      this.cost = carried.cost_usd ?? 0;
      this.toolInvocations = carried.tool_invocations ?? 0;
    }
  }

  async record(modelName: string, inputTokens: number, outputTokens: number): Promise<void> {
    try {
      this.prices ??= await loadPriceTable(this.ctx.db);
      this.cost += costUsd(this.prices, modelName, inputTokens, outputTokens);
    } catch (err) {
      // A price lookup failure never fails the node (tokens are still counted).
      this.ctx.deps.log.warn({ err }, 'could not price an LLM call');
    }
    this.input += inputTokens;
    this.output += outputTokens;
    this.calls += 1;
  }

  usage(): TokenUsage {
    return {
      input_tokens: this.input,
      output_tokens: this.output,
      total_tokens: this.input + this.output,
      llm_calls: this.calls,
      cost_usd: Number(this.cost.toFixed(8)),
      tool_invocations: this.toolInvocations,
    };
  }

  /** Throws BudgetExceededError when the execution already used its budget. */
  async checkBudget(): Promise<void> {
    const { budgetTokens, budgetUsd } = this.ctx.workflow;
    if (budgetTokens === null && budgetUsd === null) return;
    const row = await this.ctx.db
      .selectFrom('execution_nodes')
      .select((eb) => [
        eb.fn.sum<number>('input_tokens').as('input'),
        eb.fn.sum<number>('output_tokens').as('output'),
        eb.fn.sum<number>('cost_usd').as('cost'),
      ])
      .where('execution_id', '=', this.ctx.execution.id)
      .executeTakeFirst();
    const tokens = Number(row?.input ?? 0) + Number(row?.output ?? 0) + this.input + this.output;
    const cost = Number(row?.cost ?? 0) + this.cost;
    if (budgetTokens !== null && tokens >= budgetTokens) {
      throw new BudgetExceededError(
        `Token budget exceeded: this execution used ${tokens} tokens (budget ${budgetTokens}); stopped before the next LLM call.`,
      );
    }
    if (budgetUsd !== null && cost >= budgetUsd) {
      throw new BudgetExceededError(
        `Cost budget exceeded: this execution cost $${cost.toFixed(6)} (budget $${budgetUsd}); stopped before the next LLM call.`,
      );
    }
  }
}
