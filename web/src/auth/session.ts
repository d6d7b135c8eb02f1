/**
 * The browser session. The key itself lives in the server's httpOnly `pipelit_session` cookie, out of
 * reach of page scripts (src/auth/session-cookie.ts on the server); what is kept here is only the
 * username, shown in the sidebar and taken as "probably signed in" until a 401 says otherwise.
 */
const USERNAME_KEY = 'auth_username';
/** Where older builds kept the key itself; removed on sight. */
const LEGACY_TOKEN_KEY = 'auth_token';

export function getUsername(): string | null {
  return localStorage.getItem(USERNAME_KEY);
}

/** True when this browser signed in (the cookie may still have expired: the server decides). */
export function isSignedIn(): boolean {
  localStorage.removeItem(LEGACY_TOKEN_KEY);
  return getUsername() !== null;
}

export function saveSession(username: string): void {
  localStorage.setItem(USERNAME_KEY, username);
}

export function clearSession(): void {
  localStorage.removeItem(LEGACY_TOKEN_KEY);
  localStorage.removeItem(USERNAME_KEY);
}
