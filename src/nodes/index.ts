/**
 * Every node type, in palette order. Adding a node type = adding its file and one line here
 * (`index.test.ts` fails when a descriptor file is missing from this list).
 */
import { assertion } from './assertion.js';
import { code } from './code.js';
import type { NodeDescriptor } from './define-node.js';
import { filter } from './filter.js';
import { humanConfirmation } from './human-confirmation.js';
import { loop } from './loop.js';
import { merge } from './merge.js';
import { replyChat } from './reply-chat.js';
import { subworkflow } from './subworkflow.js';
import { switchNode } from './switch.js';
import { triggerChat } from './trigger-chat.js';
import { triggerError } from './trigger-error.js';
import { triggerManual } from './trigger-manual.js';
import { triggerSchedule } from './trigger-schedule.js';
import { triggerTelegram } from './trigger-telegram.js';
import { triggerWebhook } from './trigger-webhook.js';
import { triggerWorkflow } from './trigger-workflow.js';
import { wait } from './wait.js';

export const NODE_TYPES: readonly NodeDescriptor<any>[] = [
  // triggers
  triggerManual,
  triggerChat,
  triggerTelegram,
  triggerSchedule,
  triggerWebhook,
  triggerWorkflow,
  triggerError,
  // logic and flow
  switchNode,
  assertion,
  code,
  merge,
  filter,
  loop,
  wait,
  subworkflow,
  humanConfirmation,
  // output
  replyChat,
];
