/**
 * The editor: palette, canvas and details panel. Server data (the cached workflow detail) is the
 * source of truth; it changes from our own mutation answers and from WebSocket echoes alike. Local
 * state only holds selection and in-flight drags.
 */
import { useQueryClient } from '@tanstack/react-query';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import {
  type DragEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { Link } from 'react-router';
import { api, validationErrors } from '../api/client';
import { type EditingEvent, editingApi, patchWorkflowCache } from '../api/editing';
import type { ExecutionDetail, NodeTypes, WorkflowDetail } from '../api/types';
import { executeWorkflow, workflowKeys } from '../api/workflows';
import { COMMANDS, type EditorContext } from '../commands';
import { commandForEvent, isTyping } from '../commands/keymap';
import type { Clipboard } from '../commands/types';
import { ui } from '../components/ui';
import { WorkflowSettingsDialog } from '../components/workflow-settings-dialog';
import { getTheme } from '../theme';
import { useSocketEvents, useSubscription } from '../ws/hooks';
import { ChatPanel } from './chat-panel';
import { ConfigPanel } from './config-panel';
import { ConnectionHint } from './connection-hint';
import { checkConnection } from './connection-rules';
import { ContextMenu } from './context-menu';
import type { PipelitFlowEdge, PipelitFlowNode } from './flow-types';
import { GraphEdits } from './graph-edits';
import { EditHistory } from './history';
import { nodeTypes } from './node-types';
import { DRAG_MIME, Palette } from './palette';
import { runStates } from './run-state';
import { toFlowEdges, toFlowNodes } from './to-flow';
import { Toolbar } from './toolbar';

const FINISHED = new Set([
  'execution_completed',
  'execution_failed',
  'execution_interrupted',
  'execution_cancelled',
]);

const EDITING = new Set([
  'node_created',
  'node_updated',
  'node_deleted',
  'edge_created',
  'edge_updated',
  'edge_deleted',
]);

interface Notice {
  message: string;
  kind: 'info' | 'error';
}

function errorText(err: unknown): string {
  const list = validationErrors(err);
  return list.length ? list.join('; ') : err instanceof Error ? err.message : String(err);
}

export function EditorCanvas({
  slug,
  detail,
  specs,
}: {
  slug: string;
  detail: WorkflowDetail;
  specs: NodeTypes;
}) {
  const qc = useQueryClient();
  const flow = useReactFlow();
  const history = useMemo(() => new EditHistory(), []);
  useSyncExternalStore(
    (cb) => history.subscribe(cb),
    () => history.getVersion(),
  );
  const edits = useMemo(
    () =>
      new GraphEdits(editingApi(qc, slug), history, () =>
        qc.getQueryData<WorkflowDetail>(workflowKeys.detail(slug)),
      ),
    [qc, slug, history],
  );
  const clipboard = useRef<Clipboard | null>(null);
  const [problems, setProblemMap] = useState<Record<string, string[]>>({});
  const [generalProblems, setGeneralProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [chatOpen, setChatOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const fitRequested = useRef(false);
  const [fitTick, setFitTick] = useState(0);
  const [lastExecution, setLastExecution] = useState<string | null>(null);
  const [nodes, setNodes] = useState<PipelitFlowNode[]>([]);
  const [edges, setEdges] = useState<PipelitFlowEdge[]>([]);
  const dragStart = useRef(new Map<string, { x: number; y: number }>());
  // Nodes to select once they arrive from the server (a pasted or dropped node is not on the canvas yet).
  const wantSelected = useRef(new Set<string>());

  const notify = useCallback(
    (message: string, kind: 'info' | 'error' = 'info') => setNotice({ message, kind }),
    [],
  );

  // Live updates: editing echoes patch the cache; node_status feeds the badges.
  useEffect(() => runStates.reset(), []);
  useSubscription(`workflow:${slug}`);
  useSocketEvents((message) => {
    if (message.channel && message.channel !== `workflow:${slug}`) return;
    if (EDITING.has(message.type) && message.data) {
      patchWorkflowCache(qc, slug, { type: message.type, data: message.data } as unknown as EditingEvent);
      return;
    }
    runStates.apply(message);
    if (message.type === 'execution_started' && message.execution_id) setLastExecution(message.execution_id);
    // A finished run: read its stored logs for the full outputs and errors of every node.
    if (FINISHED.has(message.type) && message.execution_id) {
      const id = message.execution_id;
      api<ExecutionDetail>(`/executions/${encodeURIComponent(id)}/`)
        .then((d) => runStates.applyLogs(d.logs ?? []))
        .catch((err) => notify(`Could not load the run's outputs: ${errorText(err)}`, 'error'));
    }
  });

  // Server data → flow nodes, keeping selection, measurements and in-flight drags.
  useEffect(() => {
    setNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return toFlowNodes(detail, specs, problems).map((n) => {
        const p = old.get(n.id);
        if (!p) return wantSelected.current.has(n.id) ? { ...n, selected: true } : n;
        return {
          ...n,
          selected: p.selected,
          measured: p.measured,
          dragging: p.dragging,
          position: p.dragging ? p.position : n.position,
        };
      });
    });
  }, [detail, specs, problems]);
  useEffect(() => {
    setEdges((prev) => {
      const selected = new Set(prev.filter((e) => e.selected).map((e) => e.id));
      return toFlowEdges(detail).map((e) => ({ ...e, selected: selected.has(e.id) }));
    });
  }, [detail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each node update and fit request
  useEffect(() => {
    if (!fitRequested.current) return;
    fitRequested.current = false;
    void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 0 });
  }, [nodes, fitTick, flow]);

  const selectedNodeIds = useMemo(() => nodes.filter((n) => n.selected).map((n) => n.id), [nodes]);
  const selectedEdgeIds = useMemo(() => edges.filter((e) => e.selected).map((e) => Number(e.id)), [edges]);

  const ctx: EditorContext = {
    slug,
    detail,
    specs,
    selectedNodeIds,
    selectedEdgeIds,
    edits,
    history,
    clipboard,
    notify,
    setProblems: (byNode, general) => {
      setProblemMap(byNode);
      setGeneralProblems(general);
    },
    select: (ids) => {
      const set = new Set(ids);
      wantSelected.current = set;
      setNodes((ns) => ns.map((n) => ({ ...n, selected: set.has(n.id) })));
      setEdges((es) => es.map((e) => ({ ...e, selected: false })));
    },
    // Fit once the moved nodes are rendered (fitting now would frame the old positions).
    fitView: () => {
      fitRequested.current = true;
      setFitTick((n) => n + 1);
    },
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const runCommand = useCallback(
    (id: string) => {
      const command = COMMANDS.find((c) => c.id === id);
      const current = ctxRef.current;
      if (!command?.enabled(current)) return;
      Promise.resolve(command.run(current)).catch((err) =>
        notify(`${command.label} failed: ${errorText(err)}`, 'error'),
      );
    },
    [notify],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
      const command = commandForEvent(event, COMMANDS);
      if (!command) return;
      event.preventDefault();
      runCommand(command.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runCommand]);

  const onNodesChange = useCallback(
    (changes: NodeChange<PipelitFlowNode>[]) =>
      setNodes((ns) =>
        applyNodeChanges(
          changes.filter((c) => c.type !== 'remove'),
          ns,
        ),
      ),
    [],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<PipelitFlowEdge>[]) =>
      setEdges((es) =>
        applyEdgeChanges(
          changes.filter((c) => c.type !== 'remove'),
          es,
        ),
      ),
    [],
  );

  const ends = (c: Connection | Edge) => {
    const byId = new Map(ctxRef.current.detail.nodes.map((n) => [n.node_id, n]));
    const source = byId.get(c.source);
    const target = byId.get(c.target);
    return checkConnection({
      source,
      target,
      sourceSpec: specs[source?.component_type ?? ''],
      targetSpec: specs[target?.component_type ?? ''],
      sourceHandle: c.sourceHandle,
      targetHandle: c.targetHandle,
    });
  };
  const isValidConnection = (c: Connection | Edge) => ends(c).ok;
  const onConnect = (c: Connection) => {
    const check = ends(c);
    if (!check.ok) {
      notify(`Cannot connect: ${check.reason}`, 'error');
      return;
    }
    edits.addEdge(check.edge).catch((err) => notify(`Cannot connect: ${errorText(err)}`, 'error'));
  };

  const addAt = (componentType: string, position: { x: number; y: number }) =>
    edits
      .addNode({
        component_type: componentType,
        position_x: Math.round(position.x),
        position_y: Math.round(position.y),
      })
      .then((node) => ctxRef.current.select([node.node_id]))
      .catch((err) => notify(`Cannot add node: ${errorText(err)}`, 'error'));

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const type = event.dataTransfer.getData(DRAG_MIME);
    if (!type) return;
    void addAt(type, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  };
  const addFromPalette = (type: string) => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    const center = pane
      ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 }
      : { x: 400, y: 300 };
    const offset = (detail.nodes.length % 5) * 30;
    const at = flow.screenToFlowPosition(center);
    void addAt(type, { x: at.x + offset, y: at.y + offset });
  };

  const onNodeDragStart = (_: unknown, __: PipelitFlowNode, dragged: PipelitFlowNode[]) => {
    dragStart.current = new Map(dragged.map((n) => [n.id, { ...n.position }]));
  };
  const onNodeDragStop = (_: unknown, __: PipelitFlowNode, dragged: PipelitFlowNode[]) => {
    const moves = dragged
      .map((n) => ({ nodeId: n.id, from: dragStart.current.get(n.id) ?? n.position, to: n.position }))
      .filter(
        (m) => Math.round(m.from.x) !== Math.round(m.to.x) || Math.round(m.from.y) !== Math.round(m.to.y),
      );
    if (moves.length) edits.move(moves).catch((err) => notify(`Move failed: ${errorText(err)}`, 'error'));
  };

  const openMenu = (event: MouseEvent | globalThis.MouseEvent) => {
    event.preventDefault();
    setMenu({ x: event.clientX, y: event.clientY });
  };

  const selectedNode =
    selectedNodeIds.length === 1 ? detail.nodes.find((n) => n.node_id === selectedNodeIds[0]) : undefined;
  const hasChat = detail.nodes.some((n) => n.component_type === 'trigger_chat');
  const dark = getTheme() === 'dark' || document.documentElement.classList.contains('dark');

  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-800 dark:bg-slate-900">
        <Link to="/" className="text-sm text-sky-700 underline dark:text-sky-400">
          Workflows
        </Link>
        <h1 className="truncate text-lg font-semibold">{detail.name}</h1>
        {lastExecution ? (
          <Link
            to={`/executions/${lastExecution}`}
            className="text-sm text-sky-700 underline dark:text-sky-400"
            data-testid="last-execution-link"
          >
            Last run
          </Link>
        ) : null}
        <div className="ml-auto flex items-center gap-1.5">
          <button type="button" className={ui.button} onClick={() => setSettingsOpen(true)}>
            Settings
          </button>
          {hasChat ? (
            <button
              type="button"
              className={chatOpen ? ui.primary : ui.button}
              aria-pressed={chatOpen}
              onClick={() => setChatOpen((v) => !v)}
            >
              Chat panel
            </button>
          ) : null}
          <Toolbar ctx={ctx} run={runCommand} />
        </div>
      </header>
      {/* Mounted only while open, so it starts from the workflow as it is now. */}
      {settingsOpen ? (
        <WorkflowSettingsDialog workflow={detail} open onClose={() => setSettingsOpen(false)} />
      ) : null}
      {notice ? (
        <div
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid="editor-notice"
          className={`flex items-center justify-between px-4 py-1.5 text-sm ${
            notice.kind === 'error'
              ? 'bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200'
              : 'bg-sky-50 text-sky-900 dark:bg-sky-950 dark:text-sky-100'
          }`}
        >
          <span>{notice.message}</span>
          <button type="button" className="underline" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {generalProblems.length ? (
        <ul
          role="alert"
          className="bg-amber-50 px-4 py-1.5 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          {generalProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <Palette specs={specs} onAdd={addFromPalette} />
        <section
          aria-label="Workflow canvas"
          className="relative min-w-0 flex-1"
          onDragOver={(e) => e.preventDefault()}
          onDrop={onDrop}
        >
          <ReactFlow<PipelitFlowNode, PipelitFlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            isValidConnection={isValidConnection}
            onNodeDragStart={onNodeDragStart}
            onNodeDragStop={onNodeDragStop}
            onPaneContextMenu={openMenu}
            onNodeContextMenu={openMenu}
            deleteKeyCode={null}
            colorMode={dark ? 'dark' : 'light'}
            fitView
            fitViewOptions={{ padding: 0.3, maxZoom: 1 }}
          >
            <Background />
            <Controls />
            <MiniMap pannable zoomable ariaLabel="Mini map" />
            <ConnectionHint detail={detail} specs={specs} />
          </ReactFlow>
        </section>
        {chatOpen && hasChat ? <ChatPanel slug={slug} onClose={() => setChatOpen(false)} /> : null}
        {selectedNode && !(chatOpen && hasChat) ? (
          <ConfigPanel
            key={selectedNode.node_id}
            slug={slug}
            node={selectedNode}
            spec={specs[selectedNode.component_type]}
            specs={specs}
            detail={detail}
            onSave={async (patch) => {
              await edits.update(selectedNode, patch);
            }}
            onDelete={() => runCommand('delete-selection')}
            onRun={
              selectedNode.component_type === 'trigger_manual'
                ? () =>
                    executeWorkflow(slug, selectedNode.node_id)
                      .then((a) => notify(`Execution ${a.execution_id.slice(0, 8)} started.`))
                      .catch((err) => notify(`Run failed: ${errorText(err)}`, 'error'))
                : null
            }
            onClose={() => ctx.select([])}
          />
        ) : null}
      </div>
      {menu ? <ContextMenu at={menu} ctx={ctx} run={runCommand} onClose={() => setMenu(null)} /> : null}
    </div>
  );
}
