/**
 * The details panel of the selected node: label, interrupt switches, AI prompt/model fields, the
 * `extra_config` form generated from the type's `config_schema` (or raw JSON), Save, Delete, Run,
 * expressions and the last output. Mount it with `key={node_id}` so each node gets a fresh draft.
 */
import { useId, useMemo, useState } from 'react';
import type { NodeConfig, NodeTypeSpec, NodeTypes, WorkflowDetail, WorkflowNode } from '../api/types';
import { ErrorState } from '../components/error-state';
import { ui } from '../components/ui';
import { ExpressionHelper } from './expression-helper';
import { JsonField } from './json-field';
import { ModelFields } from './model-fields';
import { OutputInspector } from './output-inspector';
import { ScheduleControls } from './schedule-controls';
import { SchemaField } from './schema-field';

interface ConfigPanelProps {
  slug: string;
  node: WorkflowNode;
  spec: NodeTypeSpec | undefined;
  specs: NodeTypes;
  detail: WorkflowDetail;
  onSave: (patch: Partial<WorkflowNode>) => Promise<void>;
  onDelete: () => void;
  onRun: (() => void) | null;
  onClose: () => void;
}

function withDefaults(
  spec: NodeTypeSpec | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(spec?.config_schema?.properties ?? {})) {
    if (schema.default !== undefined) out[key] = schema.default;
  }
  return { ...out, ...extra };
}

export function ConfigPanel({
  slug,
  node,
  spec,
  specs,
  detail,
  onSave,
  onDelete,
  onRun,
  onClose,
}: ConfigPanelProps) {
  const labelId = useId();
  const [label, setLabel] = useState(node.label ?? '');
  const [interruptBefore, setInterruptBefore] = useState(node.interrupt_before);
  const [interruptAfter, setInterruptAfter] = useState(node.interrupt_after);
  const [config, setConfig] = useState<NodeConfig>(node.config ?? ({} as NodeConfig));
  const [extra, setExtra] = useState<Record<string, unknown>>(() =>
    withDefaults(spec, node.config?.extra_config ?? {}),
  );
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [raw, setRaw] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const properties = spec?.config_schema?.properties ?? {};
  const hasSchemaForm = Object.keys(properties).length > 0;
  const isAi = spec?.category === 'ai' || Boolean(spec?.requires_model);
  const isModel = node.component_type === 'ai_model';

  const validity = (key: string) => (valid: boolean) =>
    setInvalid((old) => {
      const next = new Set(old);
      if (valid) next.delete(key);
      else next.add(key);
      return next;
    });

  const save = async () => {
    if (invalid.size) return;
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      await onSave({
        label: label.trim() || null,
        interrupt_before: interruptBefore,
        interrupt_after: interruptAfter,
        config: { ...config, extra_config: extra },
      });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  const fields = useMemo(() => Object.entries(properties), [properties]);

  return (
    <aside
      aria-label="Node details"
      className="flex w-80 shrink-0 flex-col overflow-y-auto border-l border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="mb-2 flex items-center justify-between">
        <h2 className="font-semibold">{spec?.display_name ?? node.component_type}</h2>
        <button type="button" className="text-sm underline" onClick={onClose}>
          Close<span className="sr-only"> details</span>
        </button>
      </div>
      <p className="mb-3 font-mono text-xs text-slate-500">{node.node_id}</p>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="space-y-1">
          <label htmlFor={labelId} className={ui.label}>
            Label
          </label>
          <input id={labelId} className={ui.input} value={label} onChange={(e) => setLabel(e.target.value)} />
        </div>
        {spec?.executable ? (
          <div className="flex gap-4 text-sm">
            <label className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={interruptBefore}
                onChange={(e) => setInterruptBefore(e.target.checked)}
              />
              Interrupt before
            </label>
            <label className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={interruptAfter}
                onChange={(e) => setInterruptAfter(e.target.checked)}
              />
              Interrupt after
            </label>
          </div>
        ) : null}
        <ModelFields
          config={config}
          showPrompt={isAi && !isModel}
          showModel={isModel}
          onChange={(patch) => setConfig((c) => ({ ...c, ...patch }))}
        />
        {hasSchemaForm ? (
          <label className="flex items-center gap-1.5 text-xs">
            <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} />
            Edit settings as JSON
          </label>
        ) : null}
        {raw || !hasSchemaForm ? (
          <JsonField
            label="Settings (extra_config)"
            value={extra}
            rows={10}
            onChange={(v) =>
              setExtra(v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})
            }
            onValidity={validity('__raw__')}
          />
        ) : (
          fields.map(([key, schema]) => (
            <SchemaField
              key={key}
              name={key}
              schema={schema}
              value={extra[key]}
              onChange={(v) => setExtra((old) => ({ ...old, [key]: v }))}
              onValidity={validity(key)}
            />
          ))
        )}
        {invalid.size ? (
          <p role="alert" className="text-xs text-red-600">
            Fix the invalid JSON before saving.
          </p>
        ) : null}
        <ErrorState error={error} title="Save failed" />
        <div className="flex flex-wrap gap-2">
          <button type="submit" className={ui.primary} disabled={saving || invalid.size > 0}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          {onRun ? (
            <button type="button" className={ui.button} onClick={onRun}>
              Run
            </button>
          ) : null}
          <button type="button" className={ui.danger} onClick={onDelete}>
            Delete node
          </button>
          {saved ? (
            <span role="status" className="self-center text-xs">
              Saved.
            </span>
          ) : null}
        </div>
      </form>
      <div className="mt-4 space-y-3">
        {node.component_type === 'trigger_schedule' ? <ScheduleControls slug={slug} node={node} /> : null}
        <ExpressionHelper nodeId={node.node_id} detail={detail} specs={specs} />
        {spec?.executable ? <OutputInspector nodeId={node.node_id} /> : null}
      </div>
    </aside>
  );
}
