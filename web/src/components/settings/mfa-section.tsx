/** TOTP MFA: status, enrolment (QR from the server or the otpauth URI + secret), verify, disable. */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { accountApi, accountKeys, useMfaStatus } from '../../api/account';
import type { MfaSetup } from '../../api/types';
import { ErrorState } from '../error-state';
import { Field } from '../field';
import { Loading } from '../loading';
import { StatusBadge } from '../status-badge';
import { ui } from '../ui';
import { Section } from './section';

/** The QR as an image: an SVG string from the server becomes a data URL (never injected as HTML). */
function qrSource(setup: MfaSetup): string | null {
  if (setup.qr_data_url) return setup.qr_data_url;
  if (setup.qr_svg) {
    if (setup.qr_svg.startsWith('data:')) return setup.qr_svg;
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`;
  }
  return null;
}

export function MfaSection() {
  const status = useMfaStatus();
  const qc = useQueryClient();
  const [setup, setSetup] = useState<MfaSetup | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const enabled = status.data?.mfa_enabled ?? false;

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  };
  const begin = () => run(async () => setSetup(await accountApi.mfaSetup()));
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      if (enabled) await accountApi.mfaDisable(code);
      else await accountApi.mfaVerify(code);
      setSetup(null);
      setCode('');
      await qc.invalidateQueries({ queryKey: accountKeys.mfa });
      await qc.invalidateQueries({ queryKey: accountKeys.me });
    });
  };

  const qr = setup ? qrSource(setup) : null;
  return (
    <Section title="Two-factor authentication">
      {status.isPending ? <Loading /> : null}
      <ErrorState error={status.error} title="MFA is not available" />
      {status.data ? (
        <p className="text-sm">
          Status: <StatusBadge status={enabled ? 'active' : 'inactive'} />{' '}
          {enabled ? 'enabled' : 'not enabled'}
        </p>
      ) : null}
      {status.data && !enabled && !setup ? (
        <button type="button" className={ui.primary} onClick={() => void begin()}>
          Enable MFA
        </button>
      ) : null}
      {setup ? (
        <div className="space-y-2" data-testid="mfa-enrolment">
          <p className="text-sm">Scan this code with an authenticator app, or enter the key by hand.</p>
          {qr ? (
            <img src={qr} alt="MFA QR code" width={192} height={192} className="rounded bg-white p-2" />
          ) : null}
          <p className="text-sm">
            Key:{' '}
            <code className="font-mono" data-testid="mfa-secret">
              {setup.secret}
            </code>
          </p>
          {!qr ? <p className="break-all font-mono text-xs">{setup.provisioning_uri}</p> : null}
        </div>
      ) : null}
      {setup || enabled ? (
        <form onSubmit={confirm} className="flex max-w-md items-end gap-2">
          <div className="flex-1">
            <Field
              label={enabled ? 'Code to disable MFA' : 'Code from the app'}
              value={code}
              inputMode="numeric"
              placeholder="000000"
              pattern="\d{6}"
              required
              onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
            />
          </div>
          <button type="submit" className={enabled ? ui.danger : ui.primary}>
            {enabled ? 'Disable MFA' : 'Verify and enable'}
          </button>
        </form>
      ) : null}
      <ErrorState error={error} title="MFA action failed" />
    </Section>
  );
}
