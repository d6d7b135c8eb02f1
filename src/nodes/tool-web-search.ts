import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** Searches the web: a SearXNG URL, or a `tool` credential (SearXNG, Brave, Tavily). */
export const webSearch = defineTool({
  type: 'web_search',
  displayName: 'Web Search',
  description: 'Lets the agent search the web (SearXNG, Brave or Tavily).',
  category: 'tool',
  icon: 'search',
  config: z.looseObject({
    searxng_url: z.string().default(''),
    /** A `tool` credential of the owner (SearXNG URL or a Brave/Tavily key); 0 = the preferred one. */
    credential_id: z.number().int().min(0).default(0),
    max_results: z.number().int().min(1).max(20).default(5),
  }),
});
