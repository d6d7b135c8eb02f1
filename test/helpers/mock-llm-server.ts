/**
 * A scripted fake LLM provider on 127.0.0.1 (random port) speaking the OpenAI chat-completions and
 * Anthropic messages wire formats: text and tool calls, streaming (SSE) or not, usage numbers, and
 * failures (429 with Retry-After, 500, hanging). Each request takes the next scripted reply (or the
 * `fallback` function's); every request is recorded for assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type MockReply =
  | { text: string; usage?: { input: number; output: number } }
  | {
      toolCalls: Array<{ name: string; args: Record<string, unknown>; id?: string }>;
      text?: string;
      usage?: { input: number; output: number };
    }
  | { status: number; body?: unknown; retryAfter?: number }
  | { hang: true };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface MockLlmServer {
  url: string;
  /** Base URL for openai/openai_compatible credentials (`…/v1`). */
  openaiBase: string;
  /** Base URL for anthropic credentials. */
  anthropicBase: string;
  requests: RecordedRequest[];
  /** Queue replies, used in order. */
  script(...replies: Array<MockReply | ((req: RecordedRequest) => MockReply)>): void;
  /** Used when the queue is empty. */
  fallback: (req: RecordedRequest) => MockReply;
  models: string[];
  reset(): void;
  close(): Promise<void>;
}

/** The text of the last user message of a request (either wire format). */
export function lastUserText(req: RecordedRequest): string {
  const msgs = (req.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
  const user = [...msgs].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  return (user.content as Array<{ type: string; text?: string }>)
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

let idCounter = 0;

export async function startMockLlmServer(): Promise<MockLlmServer> {
  const queue: Array<MockReply | ((req: RecordedRequest) => MockReply)> = [];
  const hanging = new Set<ServerResponse>();
  const state: MockLlmServer = {
    url: '',
    openaiBase: '',
    anthropicBase: '',
    requests: [],
    script: (...replies) => queue.push(...replies),
    fallback: () => ({ text: 'ok' }),
    models: ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-20250514'],
    reset() {
      queue.length = 0;
      state.requests.length = 0;
      state.fallback = () => ({ text: 'ok' });
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const path = (req.url ?? '').split('?')[0];
    const recorded: RecordedRequest = { path, headers: req.headers, body };

    if (req.method === 'GET' && path.endsWith('/models')) {
      if (req.headers.authorization === 'Bearer bad-key') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid key"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: state.models.map((id) => ({ id })) }));
      return;
    }
    state.requests.push(recorded);
    const next = queue.shift() ?? state.fallback;
    const reply = typeof next === 'function' ? next(recorded) : next;
    if ('hang' in reply) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('status' in reply) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      res
        .writeHead(reply.status, headers)
        .end(JSON.stringify(reply.body ?? { error: { message: `mock error ${reply.status}` } }));
      return;
    }
    const anthropic = path.endsWith('/messages');
    const text = 'text' in reply && reply.text ? reply.text : '';
    const toolCalls =
      'toolCalls' in reply ? reply.toolCalls.map((c) => ({ ...c, id: c.id ?? `call_${++idCounter}` })) : [];
    const usage = reply.usage ?? { input: 10, output: 5 };
    const model = body?.model ?? 'mock';
    if (anthropic) writeAnthropic(res, Boolean(body?.stream), model, text, toolCalls, usage);
    else writeOpenAI(res, Boolean(body?.stream), model, text, toolCalls, usage);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  state.url = `http://127.0.0.1:${port}`;
  state.openaiBase = `${state.url}/v1`;
  state.anthropicBase = state.url;
  return state;
}

type Call = { name: string; args: Record<string, unknown>; id: string };

function writeOpenAI(
  res: ServerResponse,
  stream: boolean,
  model: string,
  text: string,
  calls: Call[],
  usage: { input: number; output: number },
) {
  const id = `chatcmpl-${++idCounter}`;
  const created = Math.floor(Date.now() / 1000);
  const finish = calls.length ? 'tool_calls' : 'stop';
  const u = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text || null,
              ...(calls.length
                ? {
                    tool_calls: calls.map((c) => ({
                      id: c.id,
                      type: 'function',
                      function: { name: c.name, arguments: JSON.stringify(c.args) },
                    })),
                  }
                : {}),
            },
            finish_reason: finish,
          },
        ],
        usage: u,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`,
    );
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  for (const piece of text.match(/.{1,4}/gs) ?? [])
    chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  for (const [i, c] of calls.entries()) {
    chunk([
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: i,
              id: c.id,
              type: 'function',
              function: { name: c.name, arguments: JSON.stringify(c.args) },
            },
          ],
        },
        finish_reason: null,
      },
    ]);
  }
  chunk([{ index: 0, delta: {}, finish_reason: finish }]);
  chunk([], { usage: u });
  res.end('data: [DONE]\n\n');
}

function writeAnthropic(
  res: ServerResponse,
  stream: boolean,
  model: string,
  text: string,
  calls: Call[],
  usage: { input: number; output: number },
) {
  const id = `msg_${++idCounter}`;
  const stop = calls.length ? 'tool_use' : 'end_turn';
  const content = [
    ...(text ? [{ type: 'text', text }] : []),
    ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args })),
  ];
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: usage.output },
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const ev = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: 0 },
    },
  });
  let index = 0;
  if (text) {
    ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const piece of text.match(/.{1,4}/gs) ?? [])
      ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    ev('content_block_stop', { index });
    index++;
  }
  for (const c of calls) {
    ev('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} },
    });
    ev('content_block_delta', {
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.args) },
    });
    ev('content_block_stop', { index });
    index++;
  }
  ev('message_delta', {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output },
  });
  ev('message_stop', {});
  res.end();
}
