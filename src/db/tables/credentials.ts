/**
 * Credentials (LLM providers, gateway, git, tool providers), conversation memory and the model
 * pricing overrides. Secrets never sit in plain text: `secrets` is one Fernet token (under
 * FIELD_ENCRYPTION_KEY) holding a JSON object of the secret fields.
 */
import type { Generated } from 'kysely';

export type CredentialType = 'llm' | 'gateway' | 'git' | 'tool';

export interface CredentialsTable {
  id: Generated<number>;
  /** The creator; normal users see and use only their own. */
  user_id: number;
  name: string;
  credential_type: CredentialType;
  /** JSON object of the non-secret fields (provider_type, base_url, tool_type, config…). */
  detail: string;
  /** Fernet token of a JSON object of the secret fields (api_key, token, access_token…), or null. */
  secrets: string | null;
  created_at: string;
  updated_at: string;
}

/** One message of an agent conversation thread, in the AI SDK's `ModelMessage` shape. */
export interface ConversationMessagesTable {
  id: Generated<number>;
  /** `<user>:<workflow>`, `<user>:<chat>:<workflow>` or `exec:<execution>:<node>`. */
  thread_id: string;
  role: 'user' | 'assistant' | 'tool' | 'system';
  /** JSON of the ModelMessage. */
  content: string;
  /** The plain text shown in chat history ('' for tool calls and tool results). */
  text: string;
  execution_id: string | null;
  created_at: string;
}

/** Admin overrides of the built-in price table (USD per million tokens, prefix match on the model). */
export interface ModelPricingTable {
  model_prefix: string;
  input_per_million: number;
  output_per_million: number;
  updated_at: string;
}

export interface LlmTables {
  credentials: CredentialsTable;
  conversation_messages: ConversationMessagesTable;
  model_pricing: ModelPricingTable;
}
