/**
 * Chat with the workflow's chat trigger. Sending posts the text; the reply arrives over the socket
 * as `chat_token` deltas (shown as they come) and a final `chat_message`; a failed run shows its
 * error. Earlier turns come from the stored history.
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { chatApi, chatKeys, useChatHistory } from '../api/chat';
import { ErrorState } from '../components/error-state';
import { Loading } from '../components/loading';
import { ui } from '../components/ui';
import { useSocketEvents } from '../ws/hooks';

interface Turn {
  key: string;
  role: 'user' | 'assistant';
  text?: string;
  executionId?: string;
}

interface Stream {
  text: string;
  done: boolean;
  error?: string;
}

export function ChatPanel({ slug, onClose }: { slug: string; onClose: () => void }) {
  const qc = useQueryClient();
  const history = useChatHistory(slug);
  const inputId = useId();
  const [text, setText] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [streams, setStreams] = useState<Record<string, Stream>>({});
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);

  useSocketEvents((m) => {
    const id = m.execution_id;
    if (!id) return;
    const d = m.data ?? {};
    if (m.type === 'chat_token' && typeof d.delta === 'string') {
      const delta = d.delta;
      setStreams((s) => ({ ...s, [id]: { text: (s[id]?.text ?? '') + delta, done: false } }));
    } else if (m.type === 'chat_message' && typeof d.text === 'string') {
      const full = d.text;
      setStreams((s) => ({ ...s, [id]: { text: full, done: true } }));
    } else if (m.type === 'execution_failed') {
      const message = String(d.error ?? 'The workflow failed.');
      setStreams((s) => ({ ...s, [id]: { text: s[id]?.text ?? '', done: true, error: message } }));
    } else if (m.type === 'execution_completed') {
      setStreams((s) => (s[id] ? { ...s, [id]: { ...s[id], done: true } } : s));
    }
  });

  const turnCount = turns.length;
  const streamed = Object.values(streams)
    .map((s) => s.text.length)
    .join();
  useEffect(() => {
    if (turnCount || streamed) bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [turnCount, streamed]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message) return;
    setError(null);
    setSending(true);
    setText('');
    setTurns((t) => [...t, { key: `u${Date.now()}`, role: 'user', text: message }]);
    try {
      const answer = await chatApi.send(slug, message);
      setTurns((t) => [
        ...t,
        { key: answer.execution_id, role: 'assistant', executionId: answer.execution_id },
      ]);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };
  const clear = async () => {
    setError(null);
    try {
      await chatApi.clear(slug);
      setTurns([]);
      setStreams({});
      await qc.invalidateQueries({ queryKey: chatKeys.history(slug) });
    } catch (err) {
      setError(err);
    }
  };

  const earlier = history.data?.messages ?? [];
  return (
    <aside
      aria-label="Chat"
      className="flex w-96 shrink-0 flex-col border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-center justify-between border-b border-slate-200 p-2 dark:border-slate-800">
        <h2 className="font-semibold">Chat</h2>
        <div className="flex gap-2">
          <button type="button" className="text-sm underline" onClick={() => void clear()}>
            Clear history
          </button>
          <button type="button" className="text-sm underline" onClick={onClose}>
            Close<span className="sr-only"> chat</span>
          </button>
        </div>
      </div>
      <div className="flex-1 space-y-2 overflow-y-auto p-2" aria-live="polite" data-testid="chat-messages">
        {history.isPending ? <Loading label="Loading history…" /> : null}
        <ErrorState error={history.error} title="Could not load the history" />
        {earlier.map((m, i) => (
          <Bubble
            // biome-ignore lint/suspicious/noArrayIndexKey: history rows have no id and never reorder
            key={`h${i}`}
            author={m.role === 'user' ? 'user' : 'assistant'}
            text={String(m.text ?? m.content ?? '')}
          />
        ))}
        {turns.map((t) => {
          if (t.role === 'user') return <Bubble key={t.key} author="user" text={t.text ?? ''} />;
          const s = t.executionId ? streams[t.executionId] : undefined;
          return (
            <Bubble
              key={t.key}
              author="assistant"
              text={s?.text ?? ''}
              pending={!s?.done}
              error={s?.error}
              testId="chat-reply"
            />
          );
        })}
        <div ref={bottom} />
      </div>
      <form onSubmit={send} className="space-y-2 border-t border-slate-200 p-2 dark:border-slate-800">
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <textarea
          id={inputId}
          rows={2}
          className={ui.input}
          placeholder="Type a message…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <ErrorState error={error} title="Could not send" />
        <button type="submit" className={ui.primary} disabled={sending || !text.trim()}>
          Send
        </button>
      </form>
    </aside>
  );
}

function Bubble(props: {
  author: 'user' | 'assistant';
  text: string;
  pending?: boolean;
  error?: string;
  testId?: string;
}) {
  const mine = props.author === 'user';
  return (
    <div className={`flex ${mine ? 'justify-end' : 'justify-start'}`}>
      <div
        data-testid={props.testId}
        data-done={props.pending ? 'false' : 'true'}
        className={`max-w-[85%] rounded-lg px-3 py-1.5 text-sm whitespace-pre-wrap ${
          mine ? 'bg-sky-600 text-white' : 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100'
        }`}
      >
        <span className="sr-only">{mine ? 'You: ' : 'Assistant: '}</span>
        {props.text}
        {props.pending && !props.text ? <span className="text-slate-400">…</span> : null}
        {props.error ? (
          <span role="alert" className="block text-red-600 dark:text-red-400">
            {props.error}
          </span>
        ) : null}
      </div>
    </div>
  );
}
