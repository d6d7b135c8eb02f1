import { describe, expect, it } from 'vitest';
import { resolveEndUser } from './end-user.js';
import { summarize } from './episodes.js';
import { likePattern } from './facts.js';

describe('resolveEndUser', () => {
  it('recognises gateway payloads (fix of the reference, which resolved them as unknown)', () => {
    const payload = {
      text: 'hi',
      chat_id: '42',
      message_id: '7',
      credential_id: 'tg',
      user_id: '9001',
      files: [],
    };
    expect(resolveEndUser({ payload, triggerType: 'trigger_telegram', platformUserId: 3 })?.canonicalId).toBe(
      'gateway:9001',
    );
    expect(resolveEndUser({ payload: { ...payload, user_id: '' } })).toBeNull();
  });

  it('recognises Telegram updates with names', () => {
    const eu = resolveEndUser({
      payload: { message: { from: { id: 55, first_name: 'Ada', last_name: 'L', username: 'ada' } } },
    });
    expect(eu).toMatchObject({
      canonicalId: 'telegram:55',
      displayName: 'Ada L',
      telegramId: '55',
      telegramUsername: 'ada',
    });
  });

  it('recognises webhook bodies by user_id or email; anonymous callers are nobody', () => {
    const hook = (body: unknown) => ({
      payload: { payload: body, headers: {}, query: {} },
      triggerType: 'trigger_webhook',
    });
    expect(resolveEndUser(hook({ user_id: 'u1' }))?.canonicalId).toBe('webhook:u1');
    expect(resolveEndUser(hook({ email: 'A@B.org' }))).toMatchObject({
      canonicalId: 'webhook:a@b.org',
      email: 'a@b.org',
    });
    expect(resolveEndUser(hook({ text: 'no id' }))).toBeNull();
  });

  it('uses the platform user for chat and manual runs, nobody for schedules', () => {
    expect(
      resolveEndUser({ payload: { text: 'x' }, triggerType: 'trigger_chat', platformUserId: 4 })?.canonicalId,
    ).toBe('chat:4');
    expect(
      resolveEndUser({ payload: { text: 'x' }, triggerType: 'trigger_manual', platformUserId: 4 })
        ?.canonicalId,
    ).toBe('manual:4');
    expect(resolveEndUser({ payload: {}, triggerType: 'trigger_schedule', platformUserId: 4 })).toBeNull();
    expect(resolveEndUser({ payload: { user_id: 'z' }, channel: 'slack' })?.canonicalId).toBe('slack:z');
  });
});

describe('memory search normalisation and summaries', () => {
  it('treats spaces, underscores and hyphens alike and escapes LIKE wildcards', () => {
    expect(likePattern('Favourite colour')).toBe('%favourite%colour%');
    expect(likePattern('favourite_colour')).toBe('%favourite%colour%');
    expect(likePattern('100% sure')).toBe('%100!%%sure%');
  });

  it('summarises an execution without an LLM', () => {
    expect(summarize({ text: 'hello   there' })).toBe('User said: "hello there"');
    expect(summarize({ text: 'hi' }, { success: true, final: { output: 'hey' } })).toBe(
      'User said: "hi" → Replied: "hey"',
    );
    expect(summarize({ payload: { message: 'ping' } }, { success: false, final: null, error: 'boom' })).toBe(
      'User said: "ping" → Failed: boom',
    );
  });
});
