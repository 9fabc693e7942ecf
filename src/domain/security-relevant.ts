import type { AuditEvent } from './event.js';

/**
 * Actions an incident responder must not overlook: failed sign-ins, privilege, token and 2FA
 * changes, locked accounts, erasures. The one list behind the terminal's highlight and the PDF's
 * highlight and count (the security review's rules name their own actions).
 */
const SECURITY_RELEVANT_ACTIONS: readonly RegExp[] = [
  /\.login_failed$/,
  /\.authentication_failed$/,
  /\.api_auth_failed$/,
  /role_changed$/,
  /api_token_(created|revoked)$/,
  /(two_factor|2fa|mfa)_disabled$/,
  /owner_transferred$/,
  /account_locked$/,
  /unusual_(login_)?location$/,
  /^gdpr\.user_erased$/,
];

export function isSecurityRelevant(event: Pick<AuditEvent, 'action'>): boolean {
  const action: unknown = event.action;
  return typeof action === 'string' && SECURITY_RELEVANT_ACTIONS.some((pattern) => pattern.test(action));
}
