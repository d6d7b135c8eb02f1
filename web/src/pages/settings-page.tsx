/** Settings: the account (profile, password, MFA, API keys, theme); for admins also Platform and Environment. */
import { useState } from 'react';
import { useMe } from '../api/account';
import { usePlatformSettings } from '../api/admin';
import { EnvironmentTab } from '../components/admin/environment-tab';
import { PlatformTab } from '../components/admin/platform-tab';
import { ErrorState } from '../components/error-state';
import { Loading } from '../components/loading';
import { ApiKeysSection } from '../components/settings/api-keys-section';
import { MfaSection } from '../components/settings/mfa-section';
import { PasswordSection } from '../components/settings/password-section';
import { ProfileSection } from '../components/settings/profile-section';
import { ThemeSection } from '../components/settings/theme-section';
import { ui } from '../components/ui';

type Tab = 'account' | 'platform' | 'environment';
const LABELS: Record<Tab, string> = { account: 'Account', platform: 'Platform', environment: 'Environment' };

export function SettingsPage() {
  const me = useMe();
  const admin = me.data?.role === 'admin';
  const [tab, setTab] = useState<Tab>('account');
  const platform = usePlatformSettings(admin && tab !== 'account');
  const tabs: Tab[] = admin ? ['account', 'platform', 'environment'] : ['account'];

  return (
    <div className="max-w-4xl space-y-4 p-6">
      <h1 className={ui.h1}>Settings</h1>
      {tabs.length > 1 ? (
        <div
          role="tablist"
          aria-label="Settings sections"
          className="flex gap-1 border-b border-slate-200 dark:border-slate-700"
        >
          {tabs.map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={`tab-${t}`}
              aria-selected={tab === t}
              aria-controls={`panel-${t}`}
              className={`rounded-t-md px-3 py-1.5 text-sm ${
                tab === t
                  ? 'border border-b-0 border-slate-200 bg-white font-medium dark:border-slate-700 dark:bg-slate-900'
                  : ''
              }`}
              onClick={() => setTab(t)}
            >
              {LABELS[t]}
            </button>
          ))}
        </div>
      ) : null}
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="space-y-4">
        {tab === 'account' ? (
          <>
            <ProfileSection />
            <PasswordSection />
            <MfaSection />
            <ApiKeysSection />
            <ThemeSection />
          </>
        ) : (
          <>
            {platform.isPending ? <Loading /> : null}
            <ErrorState error={platform.error} title="Could not load platform settings" />
            {platform.data && tab === 'platform' ? <PlatformTab data={platform.data} /> : null}
            {platform.data && tab === 'environment' ? <EnvironmentTab data={platform.data} /> : null}
          </>
        )}
      </div>
    </div>
  );
}
