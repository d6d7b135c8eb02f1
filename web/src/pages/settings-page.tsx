/** Settings: profile, password, MFA, API keys and theme. */
import { ApiKeysSection } from '../components/settings/api-keys-section';
import { MfaSection } from '../components/settings/mfa-section';
import { PasswordSection } from '../components/settings/password-section';
import { ProfileSection } from '../components/settings/profile-section';
import { ThemeSection } from '../components/settings/theme-section';
import { ui } from '../components/ui';

export function SettingsPage() {
  return (
    <div className="max-w-4xl space-y-4 p-6">
      <h1 className={ui.h1}>Settings</h1>
      <ProfileSection />
      <PasswordSection />
      <MfaSection />
      <ApiKeysSection />
      <ThemeSection />
    </div>
  );
}
