/**
 * Every node type, in palette order. Adding a node type = adding its file and one line here
 * (`index.test.ts` fails when a descriptor file is missing from this list).
 */

import { agent } from './agent.js';
import { aiModel } from './ai-model.js';
import { assertion } from './assertion.js';
import { categorizer } from './categorizer.js';
import { code } from './code.js';
import { deepAgent } from './deep-agent.js';
import type { NodeDescriptor } from './define-node.js';
import { extractor } from './extractor.js';
import { filter } from './filter.js';
import { humanConfirmation } from './human-confirmation.js';
import { identifyUser } from './identify-user.js';
import { loop } from './loop.js';
import { memoryRead } from './memory-read.js';
import { memoryWrite } from './memory-write.js';
import { merge } from './merge.js';
import { outputParser } from './output-parser.js';
import { replyChat } from './reply-chat.js';
import { router } from './router.js';
import { skill } from './skill.js';
import { subworkflow } from './subworkflow.js';
import { switchNode } from './switch.js';
import { calculator } from './tool-calculator.js';
import { codeExecute } from './tool-code-execute.js';
import { datetime } from './tool-datetime.js';
import { getTotpCode } from './tool-get-totp-code.js';
import { httpRequest } from './tool-http-request.js';
import { platformApi } from './tool-platform-api.js';
import { runCommand } from './tool-run-command.js';
import { schedulerTools } from './tool-scheduler-tools.js';
import { spawnAndAwait } from './tool-spawn-and-await.js';
import { systemHealth } from './tool-system-health.js';
import { validateGherkin } from './tool-validate-gherkin.js';
import { validateTopology } from './tool-validate-topology.js';
import { webSearch } from './tool-web-search.js';
import { whoami } from './tool-whoami.js';
import { workflowCreate } from './tool-workflow-create.js';
import { workflowDiscover } from './tool-workflow-discover.js';
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
  // AI nodes and their sub-components
  agent,
  deepAgent,
  categorizer,
  router,
  extractor,
  aiModel,
  outputParser,
  skill,
  // tools
  runCommand,
  platformApi,
  whoami,
  getTotpCode,
  spawnAndAwait,
  workflowCreate,
  workflowDiscover,
  schedulerTools,
  systemHealth,
  validateGherkin,
  validateTopology,
  codeExecute,
  httpRequest,
  webSearch,
  calculator,
  datetime,
  // memory
  memoryRead,
  memoryWrite,
  identifyUser,
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
