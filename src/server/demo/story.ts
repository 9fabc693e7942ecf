/** One-off moments a newcomer can recognise: people joining and leaving, plan changes, token rotation. */
import type { Target } from '../../domain/event.js';
import {
  ALICE,
  CI_TOKEN_NAME,
  CI_TOKEN_ORIGINAL_ID,
  CI_TOKEN_ROTATED_ID,
  CUSTOM_DOMAIN,
  DAVID,
  type DemoPerson,
  MEI,
  NINA,
  PRIYA,
  personActor,
  personContext,
  SECURITY,
  SOFIA,
  SYSTEM_ACTOR,
  TOM,
} from './cast.js';
import type { Dice } from './random.js';
import { personTarget, type TimedEvent, timed } from './timed-event.js';
import { HOUR, MINUTE, type Timeline, workingMoment } from './timeline.js';

/** Free credits and an invoice on the first of each month; the first card payment is declined, then fixed. */
function monthlyRenewals(dice: Dice, timeline: Timeline): TimedEvent[] {
  const events: TimedEvent[] = [];
  const first = new Date(timeline.start);
  let renewal = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1, 5, dice.int(0, 59));
  let failedOnce = false;
  while (renewal < timeline.end) {
    const amount = renewal < timeline.planUpgradedAt ? 49 : 199;
    const month = new Date(renewal).toISOString().slice(0, 7);
    const invoice = { amount, currency: 'USD', invoice: `INV-${month}` };
    const system = { actor: SYSTEM_ACTOR, context: null };
    events.push(
      timed(renewal - 2 * MINUTE, 'billing.free_tier_reset', { ...system, metadata: { credits: 100 } }),
    );
    if (failedOnce) {
      events.push(timed(renewal, 'billing.payment_succeeded', { ...system, metadata: invoice }));
    } else {
      failedOnce = true;
      events.push(
        timed(renewal, 'billing.payment_failed', {
          ...system,
          metadata: { ...invoice, reason: 'Card declined' },
        }),
      );
      const fixedAt = renewal + (4 + dice.int(0, 5)) * HOUR + dice.int(0, 59) * MINUTE;
      if (fixedAt + 3 * MINUTE < timeline.end) {
        const alice = { actor: personActor(ALICE), context: personContext(ALICE) };
        events.push(
          timed(fixedAt, 'billing.payment_method_updated', {
            ...alice,
            metadata: { brand: 'visa', last4: '4242' },
          }),
          timed(fixedAt + 3 * MINUTE, 'billing.payment_succeeded', {
            ...system,
            metadata: { ...invoice, retry: true },
          }),
        );
      }
    }
    const next = new Date(renewal);
    renewal = Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, 5, dice.int(0, 59));
  }
  return events;
}

export function storyEvents(dice: Dice, timeline: Timeline): TimedEvent[] {
  const at = (fraction: number) => workingMoment(dice, timeline, fraction);
  const as = (person: DemoPerson) => ({ actor: personActor(person), context: personContext(person) });
  const system = { actor: SYSTEM_ACTOR, context: null };
  const domain: Target = { type: 'domain', ...CUSTOM_DOMAIN };
  const slack = { type: 'integration', id: 'int_slack01', name: 'Slack' };
  const rotatedToken: Target = { type: 'api_token', id: CI_TOKEN_ROTATED_ID, name: CI_TOKEN_NAME };
  const originalToken: Target = { type: 'api_token', id: CI_TOKEN_ORIGINAL_ID, name: CI_TOKEN_NAME };
  const securityTeam: Target = { type: 'team', id: SECURITY.id, name: SECURITY.name };
  const domainAddedAt = at(0.22);
  const totp = { metadata: { method: 'totp' } };
  const certificate = { issuer: "Let's Encrypt", valid_days: 90 };
  return [
    timed(at(0.02), 'security.two_factor_enabled', { ...as(ALICE), ...totp }),
    timed(at(0.05), 'security.two_factor_enabled', { ...as(SOFIA), ...totp }),
    timed(at(0.1), 'security.two_factor_enabled', { ...as(DAVID), ...totp }),
    timed(at(0.3), 'security.two_factor_enabled', { ...as(PRIYA), ...totp }),
    timed(at(0.55), 'security.two_factor_enabled', { ...as(MEI), ...totp }),
    timed(at(0.08), 'settings.integration_updated', {
      ...as(ALICE),
      target: slack,
      metadata: { integration: 'slack', channel: '#eng-reviews' },
    }),
    timed(at(0.52), 'settings.integration_updated', {
      ...as(SOFIA),
      target: slack,
      metadata: { integration: 'slack', channel: '#security-alerts' },
    }),
    timed(at(0.18), 'settings.organization_updated', {
      ...as(ALICE),
      changes: { automatic_reviews: { old: false, new: true } },
    }),
    timed(at(0.25), 'billing.credits_purchased', {
      ...as(ALICE),
      metadata: { credits: 1000, amount: 90, currency: 'USD' },
    }),
    timed(domainAddedAt, 'custom_domain.added', { ...as(PRIYA), target: domain }),
    timed(domainAddedAt + 40 * MINUTE, 'custom_domain.verified', { ...system, target: domain }),
    timed(domainAddedAt + 42 * MINUTE, 'certificate.issued', {
      ...system,
      target: domain,
      metadata: { ...certificate },
    }),
    timed(at(0.8), 'certificate.renewed', { ...system, target: domain, metadata: { ...certificate } }),
    timed(at(0.4), 'subdomain.reserved', {
      ...as(MEI),
      target: { type: 'subdomain', id: 'sub_0e93b2', name: 'mei-dev.example.net' },
    }),
    timed(timeline.ninaInvitedAt, 'team.member_invited', {
      ...as(SOFIA),
      target: personTarget(NINA),
      metadata: { role: 'member' },
    }),
    timed(timeline.ninaJoinedAt, 'team.member_joined', { ...as(NINA), target: securityTeam }),
    timed(timeline.ninaJoinedAt + 50 * MINUTE, 'security.two_factor_enabled', { ...as(NINA), ...totp }),
    timed(at(0.42), 'team.member_role_changed', {
      ...as(DAVID),
      target: personTarget(PRIYA),
      changes: { role: { old: 'member', new: 'admin' } },
    }),
    timed(timeline.tomRemovedAt, 'team.member_removed', {
      ...as(DAVID),
      target: personTarget(TOM),
      metadata: { reason: 'Contract ended' },
    }),
    timed(timeline.ciTokenRotatedAt, 'security.api_token_created', {
      ...as(DAVID),
      target: rotatedToken,
      metadata: { scope: 'reviews:write', expires_in_days: 90 },
    }),
    timed(timeline.ciTokenRotatedAt + 6 * MINUTE, 'security.api_token_revoked', {
      ...as(DAVID),
      target: originalToken,
      metadata: { reason: 'Scheduled rotation' },
    }),
    timed(at(0.65), 'security.password_changed', as(MEI)),
    timed(timeline.planUpgradedAt, 'billing.subscription_upgraded', {
      ...as(ALICE),
      changes: { plan: { old: 'coastal', new: 'fleet' } },
    }),
    timed(timeline.planUpgradedAt + 1 * MINUTE, 'billing.payment_succeeded', {
      ...system,
      metadata: { amount: 150, currency: 'USD', note: 'Prorated upgrade to Fleet' },
    }),
    ...monthlyRenewals(dice, timeline),
  ];
}
