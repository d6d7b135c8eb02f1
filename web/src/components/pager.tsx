/** Previous/next paging for `{items,total}` lists; hidden when everything fits on one page. */
import { ui } from './ui';

interface PagerProps {
  total: number;
  offset: number;
  pageSize: number;
  onChange: (offset: number) => void;
}

export function Pager({ total, offset, pageSize, onChange }: PagerProps) {
  if (total <= pageSize) return null;
  const page = Math.floor(offset / pageSize) + 1;
  const pages = Math.ceil(total / pageSize);
  return (
    <nav aria-label="Pagination" className="mt-3 flex items-center justify-end gap-2 text-sm">
      <button
        type="button"
        className={ui.button}
        disabled={page <= 1}
        onClick={() => onChange(offset - pageSize)}
      >
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button
        type="button"
        className={ui.button}
        disabled={page >= pages}
        onClick={() => onChange(offset + pageSize)}
      >
        Next
      </button>
    </nav>
  );
}
