/**
 * A workflow's own settings: name, description, active, wall-clock limit, what finished runs keep
 * (save policy), the workflow that runs when this one fails, and its LLM budgets.
 */
import { type FormEvent, useId, useState } from 'react';
import type { SavePolicy, WorkflowDetail } from '../api/types';
import { useUpdateWorkflow, useWorkflows } from '../api/workflows';
import { ErrorState } from './error-state';
import { Field } from './field';
import { Modal } from './modal';
import { ui } from './ui';

const SAVE_POLICIES: Array<{ value: SavePolicy; label: string }> = [
  { value: 'all', label: 'Everything, node inputs included' },
  { value: 'outputs', label: 'Node outputs (failed runs keep everything)' },
  { value: 'failures', label: 'Payloads of failed runs only' },
  { value: 'metadata', label: 'Statuses and timings only' },
];

/** A positive number from a text field; empty means "none". */
function optionalNumber(text: string): number | null {
  const value = Number(text);
  return text.trim() === '' || !Number.isFinite(value) ? null : value;
}

export function WorkflowSettingsDialog({
  workflow,
  open,
  onClose,
}: {
  workflow: WorkflowDetail;
  open: boolean;
  onClose: () => void;
}) {
  const update = useUpdateWorkflow(workflow.slug);
  const others = useWorkflows(200, 0);
  const [name, setName] = useState(workflow.name);
  const [description, setDescription] = useState(workflow.description ?? '');
  const [active, setActive] = useState(workflow.is_active);
  const [maxSeconds, setMaxSeconds] = useState(String(workflow.max_execution_seconds ?? 600));
  const [policy, setPolicy] = useState<SavePolicy>(workflow.save_policy ?? 'outputs');
  const [errorHandler, setErrorHandler] = useState(String(workflow.error_handler_workflow_id ?? ''));
  const [budgetTokens, setBudgetTokens] = useState(String(workflow.budget_tokens ?? ''));
  const [budgetUsd, setBudgetUsd] = useState(String(workflow.budget_usd ?? ''));
  const policyId = useId();
  const handlerId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await update.mutateAsync({
      name: name.trim(),
      description,
      is_active: active,
      max_execution_seconds: Math.max(1, Math.round(Number(maxSeconds) || 600)),
      save_policy: policy,
      error_handler_workflow_id: errorHandler ? Number(errorHandler) : null,
      budget_tokens: optionalNumber(budgetTokens),
      budget_usd: optionalNumber(budgetUsd),
    });
    onClose();
  };

  return (
    <Modal title="Workflow settings" open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e).catch(() => {})} className="space-y-3">
        <Field label="Name" value={name} required onChange={(e) => setName(e.target.value)} />
        <Field label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          Active (inactive workflows do not start from triggers)
        </label>
        <Field
          label="Time limit (seconds)"
          type="number"
          min={1}
          required
          value={maxSeconds}
          onChange={(e) => setMaxSeconds(e.target.value)}
          hint="A run still going after this long fails with a timeout."
        />
        <div className="space-y-1">
          <label htmlFor={policyId} className={ui.label}>
            Finished runs keep
          </label>
          <select
            id={policyId}
            className={ui.input}
            value={policy}
            onChange={(e) => setPolicy(e.target.value as SavePolicy)}
          >
            {SAVE_POLICIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={handlerId} className={ui.label}>
            When a run fails, start
          </label>
          <select
            id={handlerId}
            className={ui.input}
            value={errorHandler}
            onChange={(e) => setErrorHandler(e.target.value)}
          >
            <option value="">No error handler</option>
            {(others.data?.items ?? [])
              .filter((w) => w.id !== workflow.id)
              .map((w) => (
                <option key={w.id} value={String(w.id)}>
                  {w.name}
                </option>
              ))}
          </select>
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Field
            label="Token budget per run"
            type="number"
            min={1}
            value={budgetTokens}
            onChange={(e) => setBudgetTokens(e.target.value)}
            hint="Empty: no limit."
          />
          <Field
            label="Cost budget per run (USD)"
            type="number"
            min={0}
            step="any"
            value={budgetUsd}
            onChange={(e) => setBudgetUsd(e.target.value)}
            hint="Empty: no limit."
          />
        </div>
        <ErrorState error={update.error} title="Could not save the settings" />
        <div className="flex justify-end gap-2">
          <button type="button" className={ui.button} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={ui.primary} disabled={update.isPending}>
            Save settings
          </button>
        </div>
      </form>
    </Modal>
  );
}
