import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** `http_request(url, method?, body?)` → `HTTP <code>\n<body…>`. */
export const httpRequest = defineTool({
  type: 'http_request',
  displayName: 'HTTP Request',
  description: 'Lets the agent call HTTP URLs.',
  category: 'tool',
  icon: 'globe',
  config: z.looseObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: z.number().int().min(1).max(300).default(30),
  }),
});
