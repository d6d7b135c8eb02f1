/**
 * Gateway chat replies (Appendix B). The final reply is sent by a finish hook in the process that
 * completes the execution (`deliver-on-finish.ts`); the process that accepted the inbound message
 * watches the execution's channel for pauses and sends the human-confirmation prompt with its
 * `/confirm_<id>` and `/cancel_<id>` commands.
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
    if (m.type === 'execution_interrupted') {
      const id = String(m.data?.task_id ?? '');
      void send(`${String(m.data?.prompt ?? 'Confirmation required.')}\n/confirm_${id} or /cancel_${id}`);
    } else if (['execution_completed', 'execution_failed', 'execution_cancelled'].includes(String(m.type))) {
      stop();
    }
  });
  if (done) await unsubscribe();
}
