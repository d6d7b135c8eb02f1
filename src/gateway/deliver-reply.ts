/**
 * Delivers an execution's reply back to the gateway chat it came from (Appendix B): the process
 * that accepted the inbound message watches the execution's channel on the event bus and, when it
 * completes, posts the final output to `GATEWAY_URL/api/v1/send`; a pause for human confirmation
 * sends the prompt with its `/confirm_<id>` and `/cancel_<id>` commands.
 */
import { executionChannel } from '../realtime/events.js';
import type { Services } from '../services.js';
import { sendGatewayMessage } from './gateway-client.js';

export function replyText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output && typeof output === 'object' && typeof (output as { output?: unknown }).output === 'string') {
    return (output as { output: string }).output;
  }
  return output === null || output === undefined ? '' : JSON.stringify(output);
}

export async function watchForReply(
  deps: Services,
  executionId: string,
  target: { credentialId: string; chatId: string; replyTo?: string },
  timeoutMs: number,
): Promise<void> {
  let done = false;
  let unsubscribe: (() => Promise<void>) | null = null;
  const stop = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    void unsubscribe?.().catch(() => {});
  };
  const send = (text: string) =>
    sendGatewayMessage(deps.settings, {
      credential_id: target.credentialId,
      chat_id: target.chatId,
      text,
      ...(target.replyTo ? { reply_to_message_id: target.replyTo } : {}),
    }).catch((err) => deps.log.warn({ err, execution_id: executionId }, 'gateway reply failed'));
  const timer = setTimeout(stop, timeoutMs);
  timer.unref();
  unsubscribe = await deps.bus.subscribe(executionChannel(executionId), (_channel, message) => {
    const m = message as { type?: string; data?: Record<string, unknown> };
    if (m.type === 'execution_completed') {
      stop();
      const text = replyText(m.data?.output);
      if (text) void send(text);
    } else if (m.type === 'execution_interrupted') {
      const id = String(m.data?.task_id ?? '');
      void send(`${String(m.data?.prompt ?? 'Confirmation required.')}\n/confirm_${id} or /cancel_${id}`);
    } else if (m.type === 'execution_failed' || m.type === 'execution_cancelled') {
      stop();
    }
  });
  if (done) await unsubscribe();
}
