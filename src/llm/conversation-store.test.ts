import { describe, expect, it } from 'vitest';
import { conversationThreadFor } from './conversation-store.js';

describe('conversation threads', () => {
  it('keeps chats and webhook end users apart, and one user per workflow otherwise', () => {
    expect(conversationThreadFor(7, 3, { text: 'hi' })).toBe('7:3');
    expect(conversationThreadFor(7, 3, { text: 'hi', chat_id: 42 })).toBe('7:42:3');
    const alice = conversationThreadFor(7, 3, { payload: { user_id: 'alice' }, headers: {}, query: {} });
    const bob = conversationThreadFor(7, 3, { payload: { user_id: 'bob' }, headers: {}, query: {} });
    expect(alice).toBe('7:webhook:alice:3');
    expect(bob).not.toBe(alice);
  });
});
