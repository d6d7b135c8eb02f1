/** Pastes or loads a YAML workflow and posts it to `/workflows/import/`. */
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { useImportWorkflow } from '../api/workflows';
import { ErrorState } from './error-state';
import { Modal } from './modal';
import { ui } from './ui';

export function ImportWorkflowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const importer = useImportWorkflow();
  const [yaml, setYaml] = useState('');
  const textId = useId();
  const fileId = useId();

  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setYaml(await file.text());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await importer.mutateAsync(yaml);
    setYaml('');
    onClose();
  };

  return (
    <Modal title="Import workflow (YAML)" open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e).catch(() => {})} className="space-y-3">
        <div className="space-y-1">
          <label htmlFor={fileId} className={ui.label}>
            YAML file
          </label>
          <input id={fileId} type="file" accept=".yaml,.yml,text/yaml" onChange={(e) => void loadFile(e)} />
        </div>
        <div className="space-y-1">
          <label htmlFor={textId} className={ui.label}>
            Or paste YAML
          </label>
          <textarea
            id={textId}
            className={`${ui.input} h-48 font-mono`}
            value={yaml}
            onChange={(e) => setYaml(e.target.value)}
            required
          />
        </div>
        <ErrorState error={importer.error} title="Import failed" />
        <div className="flex justify-end gap-2">
          <button type="button" className={ui.button} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={ui.primary} disabled={importer.isPending}>
            Import
          </button>
        </div>
      </form>
    </Modal>
  );
}
