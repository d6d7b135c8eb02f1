import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** Searches the web through a SearXNG instance (top results). */
export const webSearch = defineTool({
  type: 'web_search',
  displayName: 'Web Search',
  description: 'Lets the agent search the web (SearXNG).',
  category: 'tool',
  icon: 'search',
  config: z.looseObject({
    searxng_url: z.string().default(''),
    max_results: z.number().int().min(1).max(20).default(5),
  }),
});
