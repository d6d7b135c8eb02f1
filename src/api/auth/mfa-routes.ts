/**
 * `/api/v1/auth/mfa/*`: TOTP enrolment, status, disable, and the second login step. There is no HTTP
 * reset: an administrator runs `pipelit mfa-reset --username U` on the server (fixes §16.31).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { recordAuditEvent } from '../../audit/record-audit-event.js';
import { rotateSessionKey } from '../../auth/issue-api-key.js';
import { consumeMfaChallenges, findMfaChallenge } from '../../auth/mfa/challenges.js';
import { deleteRecoveryCodes, issueRecoveryCodes } from '../../auth/mfa/recovery-codes.js';
import { openTotpSecret, sealTotpSecret } from '../../auth/mfa/secret-store.js';
import { generateTotpSecret, provisioningUri } from '../../auth/mfa/totp.js';
import { verifyMfaCode } from '../../auth/mfa/verify-mfa-code.js';
import { deliverSessionKey } from '../../auth/session-cookie.js';
import { nowIso, toBool } from '../../db/values.js';
import { badRequest, unauthorized } from '../../errors.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZCode = z.object({ code: z.string().regex(/^\d{6}$/, 'Code must be 6 digits.') });
const ZLoginVerify = z.object({
  username: z.string().min(1).max(150),
  // 6-digit TOTP code or a recovery code (`xxxxx-xxxxx`).
  code: z.string().min(1).max(64),
  mfa_token: z.string().min(1).max(200).optional(),
});

async function loadUser(app: FastifyInstance, id: number) {
  return app.services.database.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Authenticated MFA management. */
async function mfaPrivateRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;
  const fieldKey = app.services.settings.fieldEncryptionKey;
  const audit = (request: FastifyRequest, action: string, userId: number) =>
    recordAuditEvent(
      db,
      { actor_user_id: userId, action, target: `user:${userId}`, ip: request.ip },
      request.log,
    );

  app.get('/mfa/status/', async (request) => {
    const user = await loadUser(app, currentUser(request).id);
    return { mfa_enabled: toBool(user.mfa_enabled) };
  });

  app.post('/mfa/setup/', async (request) => {
    const me = currentUser(request);
    const user = await loadUser(app, me.id);
    if (toBool(user.mfa_enabled)) throw badRequest('MFA is already enabled.');
    const secret = generateTotpSecret();
    await db
      .updateTable('users')
      .set({ totp_secret: sealTotpSecret(fieldKey, secret), totp_last_used_step: null, updated_at: nowIso() })
      .where('id', '=', me.id)
      .execute();
    const uri = provisioningUri(secret, user.username);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
    return {
      secret,
      provisioning_uri: uri,
      qr_svg: qrSvg,
      qr_data_url: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
    };
  });

  app.post('/mfa/verify/', async (request) => {
    const me = currentUser(request);
    const { code } = validate(ZCode, request.body);
    const user = await loadUser(app, me.id);
    if (toBool(user.mfa_enabled)) throw badRequest('MFA is already enabled.');
    if (!user.totp_secret) throw badRequest('Call /mfa/setup/ first.');
    const verdict = await verifyMfaCode(db, {
      userId: me.id,
      secret: openTotpSecret(fieldKey, user.totp_secret),
      code,
    });
    if (!verdict.ok) throw badRequest('Invalid TOTP code.');
    await db
      .updateTable('users')
      .set({ mfa_enabled: true, updated_at: nowIso() })
      .where('id', '=', me.id)
      .execute();
    const recoveryCodes = await issueRecoveryCodes(db, me.id);
    await audit(request, 'mfa.enabled', me.id);
    return { mfa_enabled: true, recovery_codes: recoveryCodes };
  });

  app.post('/mfa/disable/', async (request) => {
    const me = currentUser(request);
    const { code } = validate(ZCode, request.body);
    const user = await loadUser(app, me.id);
    if (!toBool(user.mfa_enabled)) throw badRequest('MFA is not enabled.');
    const verdict = await verifyMfaCode(db, {
      userId: me.id,
      secret: openTotpSecret(fieldKey, user.totp_secret),
      code,
    });
    if (!verdict.ok) throw badRequest('Invalid TOTP code.');
    await db
      .updateTable('users')
      .set({ mfa_enabled: false, totp_secret: null, totp_last_used_step: null, updated_at: nowIso() })
      .where('id', '=', me.id)
      .execute();
    await deleteRecoveryCodes(db, me.id);
    await consumeMfaChallenges(db, me.id);
    await audit(request, 'mfa.disabled', me.id);
    return { mfa_enabled: false };
  });
}

/** MFA routes, mounted under `/api/v1/auth`: `login-verify` is public, the rest need a key. */
export async function mfaRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.services.database;
  const fieldKey = app.services.settings.fieldEncryptionKey;

  app.post('/mfa/login-verify/', async (request, reply) => {
    const body = validate(ZLoginVerify, request.body);
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', body.username)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    const fail = async (reason: string, userId: number | null, message = 'Invalid credentials.') => {
      await recordAuditEvent(
        db,
        {
          actor_user_id: userId,
          action: 'mfa.login_failed',
          target: body.username,
          ip: request.ip,
          details: { reason },
        },
        request.log,
      );
      return unauthorized(message);
    };
    if (!user || !toBool(user.mfa_enabled) || !user.totp_secret)
      throw await fail('not_mfa_user', user?.id ?? null);
    // The password step must have succeeded for this user moments ago (fixes §16.29).
    const challenge = await findMfaChallenge(db, user.id, { token: body.mfa_token, clientIp: request.ip });
    if (challenge === null) throw await fail('no_challenge', user.id);
    const verdict = await verifyMfaCode(db, {
      userId: user.id,
      secret: openTotpSecret(fieldKey, user.totp_secret),
      code: body.code,
      allowRecoveryCode: true,
    });
    if (!verdict.ok) {
      if (verdict.lockedNow) {
        await recordAuditEvent(
          db,
          { actor_user_id: user.id, action: 'mfa.lockout', target: `user:${user.id}`, ip: request.ip },
          request.log,
        );
      }
      throw await fail('invalid_code', user.id, 'Invalid TOTP code.');
    }
    await consumeMfaChallenges(db, user.id);
    const key = await rotateSessionKey(db, user.id);
    await recordAuditEvent(
      db,
      {
        actor_user_id: user.id,
        action: verdict.via === 'recovery_code' ? 'mfa.recovery_code_used' : 'mfa.login_succeeded',
        target: `user:${user.id}`,
        ip: request.ip,
      },
      request.log,
    );
    return { key: deliverSessionKey(request, reply, key), requires_mfa: false };
  });

  await app.register(mfaPrivateRoutes);
}
