/** "Are you sure?" before destructive actions. */
import { Modal } from './modal';
import { ui } from './ui';

interface ConfirmDialogProps {
  title: string;
  message: string;
  open: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, message, open, busy, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <Modal title={title} open={open} onClose={onCancel}>
      <p className="text-sm">{message}</p>
      <div className="flex justify-end gap-2">
        <button type="button" className={ui.button} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={ui.danger} onClick={onConfirm} disabled={busy}>
          Delete
        </button>
      </div>
    </Modal>
  );
}
