/** Pieces shared by the trigger node types. */
import { z } from 'zod';
import type { PortSpec } from './define-node.js';

/** Gateway file schema: what `files` ports carry. */
export const FILES_PORT: PortSpec = {
  name: 'files',
  data_type: 'array',
  description: 'Attached files',
  port_schema: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        filename: { type: 'string' },
        mime_type: { type: 'string' },
        size_bytes: { type: 'number' },
        url: { type: 'string' },
      },
    },
  },
};

export const PAYLOAD_PORT: PortSpec = {
  name: 'payload',
  data_type: 'object',
  description: 'The whole trigger payload',
};
export const TEXT_PORT: PortSpec = { name: 'text', data_type: 'string', description: 'Message text' };

/** Triggers keep their free-form settings in `extra_config`; unknown keys are kept. */
export const ZTriggerExtra = z.looseObject({});
