/** MFA challenges, login throttling and the audit log (filled in by the security feature). */
export type SecurityTables = {};
