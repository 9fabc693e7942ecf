/** The story worth finding: a credential-stuffing burst, a takeover, a deleted tunnel, and the response. */
import type { Actor, Target } from '../../domain/event.js';
import {
  API_STAGING,
  API_STAGING_RESTORED_ID,
  BOB,
  INCIDENT_GUESSED_EMAILS,
  INCIDENT_IP,
  INCIDENT_TOKEN_ID,
  INCIDENT_USER_AGENT,
  personActor,
  personContext,
  SOFIA,
} from './cast.js';
import type { Dice } from './random.js';
import { personTarget, type TimedEvent, timed } from './timed-event.js';
import { MINUTE, SECOND, type Timeline } from './timeline.js';

/** Twenty-five failed sign-ins from one address, a few of them guessing other spellings of Bob's email. */
function failedLogins(dice: Dice, timeline: Timeline): TimedEvent[] {
  const attacker = { actor: personActor(BOB), context: personContext(BOB, INCIDENT_IP, INCIDENT_USER_AGENT) };
  const events: TimedEvent[] = [];
  let at = timeline.incidentAt;
  for (let attempt = 0; attempt < 25; attempt++) {
    const guessedEmail = attempt % 8 === 3 ? INCIDENT_GUESSED_EMAILS[(attempt - 3) / 8] : undefined;
    const actor: Actor = guessedEmail
      ? { id: null, name: null, email: guessedEmail, type: 'user' }
      : attacker.actor;
    const reason = guessedEmail ? 'unknown_user' : 'invalid_password';
    events.push(
      timed(at, 'user.login_failed', { ...attacker, actor, metadata: { reason, method: 'password' } }),
    );
    at += (dice.int(5, 18) * SECOND * timeline.minute) / MINUTE;
  }
  return events;
}

export function incidentEvents(dice: Dice, timeline: Timeline): TimedEvent[] {
  const { incidentAt, responseAt, minute } = timeline;
  const attacker = { actor: personActor(BOB), context: personContext(BOB, INCIDENT_IP, INCIDENT_USER_AGENT) };
  const events = failedLogins(dice, timeline);
  const attackerToken: Target = { type: 'api_token', id: INCIDENT_TOKEN_ID, name: 'automation' };
  const apiStaging: Target = { type: 'tunnel', id: API_STAGING.id, name: API_STAGING.name };
  const restored: Target = { ...apiStaging, id: API_STAGING_RESTORED_ID };
  const bob = { actor: personActor(BOB), context: personContext(BOB) };
  const sofia = { actor: personActor(SOFIA), context: personContext(SOFIA) };
  events.push(
    timed(incidentAt + 9 * minute, 'user.login', { ...attacker, metadata: { method: 'password' } }),
    timed(incidentAt + 11 * minute, 'security.api_token_created', {
      ...attacker,
      target: attackerToken,
      metadata: { scope: 'full_access', expires_in_days: 365 },
    }),
    timed(timeline.apiStagingDeletedAt, 'tunnel.deleted', { ...attacker, target: apiStaging }),
    timed(responseAt, 'security.api_token_revoked', {
      ...sofia,
      target: attackerToken,
      metadata: { reason: `Created from unrecognised IP ${INCIDENT_IP} after a credential-stuffing burst` },
    }),
    timed(responseAt + 4 * minute, 'security.sessions_revoked', {
      ...sofia,
      target: personTarget(BOB),
      metadata: { count: 2 },
    }),
    timed(responseAt + 35 * minute, 'user.login', { ...bob, metadata: { method: 'password' } }),
    timed(responseAt + 38 * minute, 'security.password_changed', bob),
    timed(responseAt + 41 * minute, 'security.two_factor_enabled', { ...bob, metadata: { method: 'totp' } }),
    timed(timeline.apiStagingRestoredAt, 'tunnel.created', {
      ...bob,
      target: restored,
      metadata: { region: 'eu-west', note: 'Recreated after unauthorised deletion' },
    }),
    timed(timeline.apiStagingRestoredAt + 2 * minute, 'tunnel.started', { ...bob, target: restored }),
  );
  return events;
}
