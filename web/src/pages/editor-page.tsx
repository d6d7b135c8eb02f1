/** The workflow editor route (lazy-loaded): loads the workflow and node types, then the canvas. */
import '@xyflow/react/dist/style.css';
import { ReactFlowProvider } from '@xyflow/react';
import { Link, useParams } from 'react-router';
import { useNodeTypes, useWorkflow } from '../api/workflows';
import { EditorCanvas } from '../canvas/editor-canvas';
import { ErrorState } from '../components/error-state';
import { Loading } from '../components/loading';

export default function EditorPage() {
  const { slug = '' } = useParams();
  const workflow = useWorkflow(slug);
  const types = useNodeTypes();

  if (workflow.error || types.error) {
    return (
      <div className="space-y-3 p-6">
        <ErrorState error={workflow.error} title="Could not load the workflow" />
        <ErrorState error={types.error} title="Could not load node types" />
        <Link to="/" className="text-sky-700 underline dark:text-sky-400">
          Back to workflows
        </Link>
      </div>
    );
  }
  if (!workflow.data || !types.data) return <Loading label="Loading workflow…" />;
  return (
    <ReactFlowProvider>
      <EditorCanvas slug={slug} detail={workflow.data} specs={types.data} />
    </ReactFlowProvider>
  );
}
