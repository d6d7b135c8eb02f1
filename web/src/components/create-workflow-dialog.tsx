/** Name → suggested slug (editable) → description; creates the workflow and opens it. */
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { useCreateWorkflow } from '../api/workflows';
import { ErrorState } from './error-state';
import { Field } from './field';
import { Modal } from './modal';
import { ui } from './ui';

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function CreateWorkflowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const create = useCreateWorkflow();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const workflow = await create.mutateAsync({ name, slug: slug || slugify(name), description });
    onClose();
    navigate(`/workflows/${workflow.slug}`);
  };

  return (
    <Modal title="Create workflow" open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e).catch(() => {})} className="space-y-3">
        <Field
          label="Name"
          value={name}
          required
          autoFocus
          onChange={(e) => {
            setName(e.target.value);
            if (!slugEdited) setSlug(slugify(e.target.value));
          }}
        />
        <Field
          label="Slug"
          value={slug}
          required
          pattern="[a-z0-9\-]+"
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
          hint="Lower-case letters, digits and dashes; used in URLs."
        />
        <Field label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <ErrorState error={create.error} title="Could not create" />
        <div className="flex justify-end gap-2">
          <button type="button" className={ui.button} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={ui.primary} disabled={create.isPending}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
