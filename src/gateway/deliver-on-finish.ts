/**
 * Sends a finished execution's reply back to the gateway chat it came from (Appendix B): runs as a
 * finish hook in the process that completed the execution, so a restart of the process that accepted
 * the inbound message cannot lose the reply.
 */
import type { FinishHook } from '../engine/finish-hooks.js';
import { replyText } from './deliver-reply.js';
import { sendGatewayMessage } from './gateway-client.js';

export const deliverGatewayReply: FinishHook = async (deps, finished) => {
  const { credential_id: credentialId, chat_id: chatId, message_id: messageId } = finished.trigger;
  if (finished.status !== 'completed' || !credentialId || chatId === undefined || chatId === null) return;
  if (!deps.settings.gateway.url) return;
  const text = replyText(finished.finalOutput);
  if (!text) return;
  await sendGatewayMessage(deps.settings, {
    credential_id: String(credentialId),
    chat_id: String(chatId),
    text,
    ...(messageId ? { reply_to_message_id: String(messageId) } : {}),
  });
};
