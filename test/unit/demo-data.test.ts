import { describe, expect, it } from 'vitest';
import { categoryForAction, describeEvent, lookupAction } from '../../src/domain/catalogue.js';
import { isCategory } from '../../src/domain/categories.js';
import type { EventInput, JsonValue } from '../../src/domain/event.js';
import { generateDemoEvents } from '../../src/server/demo/index.js';

const NOW = new Date('2024-06-14T15:30:00.000Z');
const DAY = 86_400_000;
const INCIDENT_IP = '198.51.100.77';
const DOCUMENTATION_IP = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/;
const SECRET_LOOKING_KEY = /password|secret|token|api_key|authorization|cookie|credential/i;

const defaultLog = generateDemoEvents({ now: NOW });

function keysDeep(value: JsonValue | undefined): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, nested]) => [key, ...keysDeep(nested)]);
}

function times(events: EventInput[]): number[] {
  return events.map((event) => Date.parse(event.timestamp ?? ''));
}

describe('generateDemoEvents', () => {
  it('honours the count exactly, including the default of 3000', () => {
    expect(defaultLog).toHaveLength(3000);
    expect(generateDemoEvents({ now: NOW, count: 500 })).toHaveLength(500);
    expect(generateDemoEvents({ now: NOW, count: 12 })).toHaveLength(12);
    expect(generateDemoEvents({ now: NOW, count: 0 })).toEqual([]);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    expect(generateDemoEvents({ now: NOW })).toEqual(defaultLog);
    expect(generateDemoEvents({ now: NOW, seed: 42, count: 300 })).toEqual(
      generateDemoEvents({ now: NOW, seed: 42, count: 300 }),
    );
    expect(generateDemoEvents({ now: NOW, seed: 7 })).not.toEqual(defaultLog);
  });

  it('keeps every timestamp strictly inside the window, in ISO UTC with milliseconds, oldest first', () => {
    for (const [days, log] of [
      [90, defaultLog],
      [30, generateDemoEvents({ now: NOW, days: 30, count: 800 })],
      [2, generateDemoEvents({ now: NOW, days: 2, count: 200 })],
    ] as const) {
      const start = NOW.getTime() - days * DAY;
      for (const event of log)
        expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const stamps = times(log);
      expect(Math.min(...stamps)).toBeGreaterThan(start);
      expect(Math.max(...stamps)).toBeLessThan(NOW.getTime());
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    }
  });

  it('leaves ids and descriptions to the server', () => {
    for (const event of defaultLog) {
      expect(event.id).toBeUndefined();
      expect(event.description).toBeUndefined();
    }
  });

  it('contains the incident: a burst of failed logins from one address, then that account deletes a tunnel', () => {
    for (const log of [defaultLog, generateDemoEvents({ now: NOW, days: 2, count: 200, seed: 3 })]) {
      const failed = log.filter(
        (event) => event.action === 'user.login_failed' && event.context?.ip_address === INCIDENT_IP,
      );
      expect(failed.length).toBeGreaterThanOrEqual(20);
      for (const event of failed)
        expect(['invalid_password', 'unknown_user']).toContain(event.metadata?.reason);
      const emailCounts = new Map<string, number>();
      for (const event of failed) {
        const email = event.actor?.email ?? '';
        emailCounts.set(email, (emailCounts.get(email) ?? 0) + 1);
      }
      const [victimEmail] = [...emailCounts].sort((a, b) => b[1] - a[1])[0] ?? [];
      expect(victimEmail).toMatch(/@example\.com$/);

      const lastFailure = Math.max(...times(failed));
      const intruderEvents = log.filter(
        (event) =>
          Date.parse(event.timestamp ?? '') > lastFailure &&
          event.context?.ip_address === INCIDENT_IP &&
          event.actor?.email === victimEmail,
      );
      expect(intruderEvents.map((event) => event.action)).toEqual([
        'user.login',
        'security.api_token_created',
        'tunnel.deleted',
      ]);
      expect(intruderEvents[2]?.target?.name).toBe('api-staging.example.net');
      expect(intruderEvents[0]?.context?.user_agent).toBe('python-requests/2.31');
    }
  });

  it('places the incident about three days before now in the default window', () => {
    const burstStart = Date.parse(
      defaultLog.find((event) => event.context?.ip_address === INCIDENT_IP)?.timestamp ?? '',
    );
    const daysBefore = (NOW.getTime() - burstStart) / DAY;
    expect(daysBefore).toBeGreaterThan(2.4);
    expect(daysBefore).toBeLessThan(3.6);
  });

  it('names every action resource.verb and leaves its category to the catalogue', () => {
    for (const event of defaultLog) {
      expect(event.action).toMatch(/^[a-z0-9_]+\.[a-z0-9_]+$/);
      // The server derives the category; the demo would only send one that differs from the catalogue's.
      expect(event.category).toBeUndefined();
      expect(isCategory(categoryForAction(event.action))).toBe(true);
    }
    expect(categoryForAction('user.login_failed')).toBe('auth');
    expect(categoryForAction('security.password_changed')).toBe('security');
    expect(categoryForAction('user.updated')).toBe('profile');
    expect(categoryForAction('custom_domain.added')).toBe('tunnel');
  });

  it('uses only actions the catalogue knows, in every window and seed', () => {
    const logs = [
      defaultLog,
      generateDemoEvents({ now: NOW, seed: 7 }),
      generateDemoEvents({ now: NOW, days: 2, count: 200, seed: 3 }),
    ];
    const unknown = new Set(
      logs.flat().flatMap((event) => (lookupAction(event.action) ? [] : [event.action])),
    );
    expect([...unknown]).toEqual([]);
  });

  it('carries the metadata the catalogue templates read, so descriptions come out full', () => {
    const describeFirst = (action: string, where: (event: EventInput) => boolean = () => true) => {
      const event = defaultLog.find((candidate) => candidate.action === action && where(candidate));
      expect(event, action).toBeDefined();
      return describeEvent(event ?? { action });
    };
    const fromIncident = (event: EventInput) => event.context?.ip_address === INCIDENT_IP;
    expect(describeFirst('tunnel.deleted', fromIncident)).toBe(
      'Bob Martinez deleted tunnel api-staging.example.net',
    );
    expect(describeFirst('user.login_failed', fromIncident)).toMatch(
      /failed to sign in: (invalid_password|unknown_user)$/,
    );
    expect(describeFirst('security.api_token_created', fromIncident)).toBe(
      'Bob Martinez created API token automation with scope full_access',
    );
    expect(describeFirst('security.sessions_revoked')).toBe('Sofia Rossi revoked 2 sessions of Bob Martinez');
    expect(describeFirst('billing.free_tier_reset')).toBe('Monthly free credits were added (100 credits)');
    expect(describeFirst('billing.credits_used')).toMatch(/^System used \d+ credits on PR #\d+ in acme\//);
    expect(describeFirst('billing.payment_failed')).toMatch(/^Payment of \d+ failed: Card declined$/);
    expect(describeFirst('billing.payment_method_updated')).toBe(
      'Alice Chen updated a payment method ending in 4242',
    );
    expect(describeFirst('review.failed')).toMatch(/^Review of PR #\d+ in acme\/[a-z-]+ failed: .+/);
    expect(describeFirst('review.manually_triggered')).toMatch(/manually requested a review of PR #\d+/);
    expect(describeFirst('team.member_invited')).toBe('Sofia Rossi invited Nina Volkova as member');
    expect(describeFirst('team.member_removed')).toBe('David Okafor removed Tom Becker: Contract ended');
    expect(describeFirst('team.member_role_changed')).toBe(
      'David Okafor changed the role of Priya Natarajan from member to admin',
    );
    expect(describeFirst('billing.subscription_upgraded')).toBe(
      'Alice Chen upgraded the plan from coastal to fleet',
    );
    expect(describeFirst('custom_domain.added')).toBe(
      'Priya Natarajan added custom domain preview.example.com',
    );
    expect(describeFirst('certificate.issued')).toBe('SSL certificate issued for preview.example.com');
    expect(describeFirst('user.login')).toMatch(/signed in via (password|github_oauth)$/);
  });

  it('uses only documentation IP ranges and example domains', () => {
    for (const event of defaultLog) {
      const ip = event.context?.ip_address;
      if (ip != null) expect(ip).toMatch(DOCUMENTATION_IP);
      const email = event.actor?.email;
      if (email != null) expect(email).toMatch(/@example\.(com|net)$/);
    }
  });

  it('never carries secret-looking keys in metadata or changes', () => {
    for (const event of defaultLog) {
      const keys = [...keysDeep(event.metadata ?? undefined), ...keysDeep(event.changes ?? undefined)];
      for (const key of keys) expect(key).not.toMatch(SECRET_LOOKING_KEY);
    }
  });

  it('gives every event a typed actor, and system events no address', () => {
    const actorTypes = new Set(defaultLog.map((event) => event.actor?.type));
    expect(actorTypes).toEqual(new Set(['user', 'system', 'api_token']));
    for (const event of defaultLog) {
      if (event.actor?.type === 'system') {
        expect(event.actor.name).toBe('System');
        expect(event.context?.ip_address ?? null).toBeNull();
      }
      if (event.actor?.type === 'api_token') expect(event.actor.name).toBe('ci-deploy');
    }
  });

  it('has a cast of about eight people in the three teams', () => {
    const people = new Set(
      defaultLog
        .filter((event) => event.actor?.type === 'user' && event.actor.id)
        .map((event) => event.actor?.id),
    );
    expect(people.size).toBeGreaterThanOrEqual(7);
    expect(people.size).toBeLessThanOrEqual(10);
    for (const id of people) expect(id).toMatch(/^user_[0-9a-f]{6}$/);
    const teams = new Set(defaultLog.map((event) => event.context?.team_name).filter(Boolean));
    expect(teams).toEqual(new Set(['Engineering', 'Platform', 'Security']));
    for (const event of defaultLog) {
      if (event.context?.team_id != null) expect(event.context.team_id).toMatch(/^team_[0-9a-f]{6}$/);
    }
  });

  it('covers the activity mix, with logins the most common action', () => {
    const actions = new Map<string, number>();
    for (const event of defaultLog) actions.set(event.action, (actions.get(event.action) ?? 0) + 1);
    for (const action of [
      'user.login',
      'user.logout',
      'review.triggered',
      'review.completed',
      'review.failed',
      'review.manually_triggered',
      'tunnel.created',
      'tunnel.started',
      'tunnel.stopped',
      'tunnel.deleted',
      'tunnel.settings_updated',
      'billing.credits_used',
      'billing.payment_succeeded',
      'billing.subscription_upgraded',
      'team.member_invited',
      'team.member_joined',
      'team.member_role_changed',
      'team.member_removed',
      'settings.integration_updated',
      'security.two_factor_enabled',
      'security.api_token_created',
      'security.api_token_revoked',
      'security.password_changed',
      'billing.free_tier_reset',
      'custom_domain.added',
      'certificate.issued',
      'profile.preferences_updated',
    ]) {
      expect(actions.get(action), action).toBeGreaterThan(0);
    }
    expect(actions.get('billing.payment_failed')).toBe(1);
    const [mostCommon] = [...actions].sort((a, b) => b[1] - a[1])[0] ?? [];
    expect(mostCommon).toBe('user.login');

    const failedPayment = defaultLog.find((event) => event.action === 'billing.payment_failed');
    expect(failedPayment?.metadata?.reason).toBe('Card declined');
    const roleChange = defaultLog.find((event) => event.action === 'team.member_role_changed');
    expect(roleChange?.changes?.role).toEqual({ old: 'member', new: 'admin' });
    const upgrade = defaultLog.find((event) => event.action === 'billing.subscription_upgraded');
    expect(upgrade?.changes?.plan).toMatchObject({ old: expect.any(String), new: expect.any(String) });
    for (const event of defaultLog.filter((candidate) => candidate.action === 'review.failed')) {
      expect(event.metadata?.reason).toEqual(expect.any(String));
    }
    const reviewTargets = defaultLog.filter((event) => event.target?.type === 'review');
    for (const event of reviewTargets) expect(event.target?.name).toMatch(/^PR #\d+ in acme\/[a-z-]+$/);
    const tokenCreation = defaultLog.find((event) => event.action === 'security.api_token_created');
    expect(tokenCreation?.target?.type).toBe('api_token');
  });

  it('clusters activity in weekday working hours (UTC 07-19)', () => {
    const stamps = times(defaultLog).map((ms) => new Date(ms));
    const workingHours = stamps.filter((date) => date.getUTCHours() >= 7 && date.getUTCHours() < 19);
    expect(workingHours.length / stamps.length).toBeGreaterThan(0.75);
    const weekend = stamps.filter((date) => date.getUTCDay() === 0 || date.getUTCDay() === 6);
    // Two days in seven would be 29% if activity were flat.
    expect(weekend.length / stamps.length).toBeLessThan(0.12);
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateDemoEvents({ now: NOW, count: -1 })).toThrow(RangeError);
    expect(() => generateDemoEvents({ now: NOW, count: 2.5 })).toThrow(RangeError);
    expect(() => generateDemoEvents({ now: NOW, days: 0 })).toThrow(RangeError);
    expect(() => generateDemoEvents({ now: new Date(Number.NaN) })).toThrow(RangeError);
  });
});
