import { Link } from 'react-router';
import { ui } from '../components/ui';

export function NotFoundPage() {
  return (
    <div className="space-y-2 p-6">
      <h1 className={ui.h1}>Page not found</h1>
      <Link to="/" className="text-sky-700 underline dark:text-sky-400">
        Back to workflows
      </Link>
    </div>
  );
}
