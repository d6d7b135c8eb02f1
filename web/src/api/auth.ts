/** Auth calls: setup status, first-run setup, password login, the MFA step, and logout. */
import { api } from './client';

export interface TokenAnswer {
  key: string;
  requires_mfa: boolean;
  mfa_token?: string;
}

export const authApi = {
  setupStatus: () => api<{ needs_setup: boolean }>('/auth/setup-status/', { anonymous: true }),
  setup: (username: string, password: string) =>
    api<{ username: string; role: string; key: string }>('/auth/setup/', {
      method: 'POST',
      body: { username, password },
      anonymous: true,
    }),
  login: (username: string, password: string) =>
    api<TokenAnswer>('/auth/token/', { method: 'POST', body: { username, password }, anonymous: true }),
  loginVerify: (username: string, code: string, mfaToken?: string) =>
    api<TokenAnswer>('/auth/mfa/login-verify/', {
      method: 'POST',
      body: { username, code, ...(mfaToken ? { mfa_token: mfaToken } : {}) },
      anonymous: true,
    }),
  /** Ends the session: the server revokes its key and clears the cookie. */
  logout: () => api<void>('/auth/logout/', { method: 'POST', anonymous: true }),
};
