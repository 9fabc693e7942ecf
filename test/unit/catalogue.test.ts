import { describe, expect, it } from 'vitest';
import {
  ACTION_CATALOGUE,
  categoryForAction,
  describeEvent,
  lookupAction,
} from '../../src/domain/catalogue.js';
import { CATEGORIES, type Category, isCategory } from '../../src/domain/categories.js';

const ALICE = { id: 'user_abc123', name: 'Alice Chen', email: 'alice@example.com' };

/** The actions Jetty's "Understanding Log Entries" section names literally. */
const JETTY_NAMED_ACTIONS: ReadonlyArray<[string, Category]> = [
  ['user.login', 'auth'],
  ['user.logout', 'auth'],
  ['user.updated', 'profile'],
  ['team.created', 'team'],
  ['team.member_added', 'team'],
  ['tunnel.created', 'tunnel'],
  ['tunnel.deleted', 'tunnel'],
  ['tunnel.started', 'tunnel'],
  ['billing.subscription_upgraded', 'billing'],
  ['billing.payment_failed', 'billing'],
  ['security.two_factor_enabled', 'security'],
  ['security.api_token_created', 'security'],
];

/** The actions the SPEC says the bundled server records about itself. */
const SERVER_ACTIONS: ReadonlyArray<[string, Category]> = [
  ['security.api_auth_failed', 'security'],
  ['security.api_token_created', 'security'],
  ['security.api_token_revoked', 'security'],
  ['team.member_added', 'team'],
  ['team.member_role_changed', 'team'],
  ['settings.organization_updated', 'settings'],
  ['settings.integration_updated', 'settings'],
  ['access.api_call', 'access'],
  ['audit.exported', 'audit'],
  ['audit.retention_purged', 'audit'],
  ['gdpr.user_erased', 'gdpr'],
  ['gdpr.export_requested', 'gdpr'],
];

/** One action per activity the two reference documents list, with the category the SPEC assigns. */
const LISTED_ACTIVITIES: ReadonlyArray<[string, Category]> = [
  // Jasper: authentication, reviews, billing, team, settings, access.
  ['user.login_failed', 'auth'],
  ['user.oauth_refreshed', 'auth'],
  ['review.triggered', 'review'],
  ['review.completed', 'review'],
  ['review.failed', 'review'],
  ['review.manually_triggered', 'review'],
  ['billing.credits_used', 'billing'],
  ['billing.credits_purchased', 'billing'],
  ['billing.credits_refunded', 'billing'],
  ['billing.free_tier_reset', 'billing'],
  ['team.member_invited', 'team'],
  ['team.member_joined', 'team'],
  ['team.member_removed', 'team'],
  ['profile.preferences_updated', 'profile'],
  ['access.page_viewed', 'access'],
  ['access.exported', 'access'],
  // Jetty: authentication and security.
  ['security.password_changed', 'security'],
  ['security.password_reset', 'security'],
  ['security.two_factor_disabled', 'security'],
  ['security.recovery_codes_regenerated', 'security'],
  ['security.sessions_revoked', 'security'],
  ['security.api_token_scope_changed', 'security'],
  ['security.authentication_failed', 'security'],
  ['security.account_locked', 'security'],
  ['security.unusual_login_location', 'security'],
  // Jetty: profile.
  ['profile.name_changed', 'profile'],
  ['profile.email_changed', 'profile'],
  ['profile.avatar_changed', 'profile'],
  ['profile.notification_preferences_changed', 'profile'],
  // Jetty: team management.
  ['team.renamed', 'team'],
  ['team.deleted', 'team'],
  ['team.settings_updated', 'team'],
  ['team.invitation_accepted', 'team'],
  ['team.invitation_revoked', 'team'],
  ['organization.owner_transferred', 'team'],
  // Jetty: tunnels.
  ['tunnel.stopped', 'tunnel'],
  ['tunnel.settings_updated', 'tunnel'],
  ['subdomain.reserved', 'tunnel'],
  ['subdomain.released', 'tunnel'],
  ['subdomain.assigned', 'tunnel'],
  ['subdomain.removed', 'tunnel'],
  ['custom_domain.added', 'tunnel'],
  ['custom_domain.verified', 'tunnel'],
  ['custom_domain.removed', 'tunnel'],
  ['custom_domain.settings_updated', 'tunnel'],
  ['certificate.issued', 'tunnel'],
  ['certificate.renewed', 'tunnel'],
  ['tunnel.basic_auth_changed', 'tunnel'],
  ['tunnel.ip_allowlist_changed', 'tunnel'],
  ['tunnel.request_inspection_changed', 'tunnel'],
  ['tunnel.redaction_rules_changed', 'tunnel'],
  // Jetty: billing.
  ['billing.subscription_downgraded', 'billing'],
  ['billing.subscription_cancelled', 'billing'],
  ['billing.subscription_resumed', 'billing'],
  ['billing.payment_method_added', 'billing'],
  ['billing.payment_method_removed', 'billing'],
  ['billing.payment_method_updated', 'billing'],
  ['billing.payment_succeeded', 'billing'],
  ['billing.invoice_generated', 'billing'],
  ['billing.refund_issued', 'billing'],
];

describe('ACTION_CATALOGUE', () => {
  it.each([...JETTY_NAMED_ACTIONS, ...SERVER_ACTIONS, ...LISTED_ACTIVITIES])(
    'has %s in category %s',
    (action, category) => {
      expect(lookupAction(action)?.category).toBe(category);
      expect(categoryForAction(action)).toBe(category);
    },
  );

  it('names every action resource.verb in snake_case, with a valid category and a template', () => {
    for (const entry of ACTION_CATALOGUE) {
      expect(entry.action).toMatch(/^[a-z0-9_]+\.[a-z0-9_]+$/);
      expect(isCategory(entry.category), entry.action).toBe(true);
      expect(entry.template.trim(), entry.action).not.toBe('');
    }
  });

  it('has no duplicate actions', () => {
    const actions = ACTION_CATALOGUE.map((entry) => entry.action);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('uses every category at least once', () => {
    const used = new Set(ACTION_CATALOGUE.map((entry) => entry.category));
    expect([...used].sort()).toEqual([...CATEGORIES].sort());
  });

  it('writes templates whose brackets balance and whose placeholders are known', () => {
    const placeholder = /\{([^{}|]+)(?:\|[^{}]*)?\}/g;
    const knownPath =
      /^(actor|action|target|target_type|metadata\.[a-z0-9_.]+|changes\.[a-z0-9_]+\.(old|new))$/;
    for (const { action, template } of ACTION_CATALOGUE) {
      for (const [, path] of template.matchAll(placeholder)) expect(path, action).toMatch(knownPath);
      const withoutSegments = template.replace(/\[[^[\]]*\]/g, '');
      expect(withoutSegments, action).not.toMatch(/[[\]]/);
    }
  });

  it('renders every template cleanly for an event with nothing but its action', () => {
    for (const { action } of ACTION_CATALOGUE) {
      const description = describeEvent({ action });
      expect(description, action).not.toMatch(/undefined|null|[{}[\]]|\s{2}|^\s|\s$|\s[:,.)]/);
      expect(description.length, action).toBeGreaterThan(5);
    }
  });
});

describe('lookupAction', () => {
  it('returns the entry for a known action and undefined otherwise', () => {
    expect(lookupAction('tunnel.deleted')).toMatchObject({ action: 'tunnel.deleted', category: 'tunnel' });
    expect(lookupAction('widget.frobbed')).toBeUndefined();
    expect(lookupAction('TUNNEL.DELETED')).toBeUndefined();
    expect(lookupAction('')).toBeUndefined();
  });
});

describe('categoryForAction', () => {
  it('prefers the catalogue over the prefix', () => {
    expect(categoryForAction('user.login')).toBe('auth');
    expect(categoryForAction('user.updated')).toBe('profile');
    expect(categoryForAction('subdomain.reserved')).toBe('tunnel');
  });

  it('falls back to the prefix when that is a category', () => {
    expect(categoryForAction('tunnel.frobbed')).toBe('tunnel');
    expect(categoryForAction('billing.something_new')).toBe('billing');
    expect(categoryForAction('gdpr.anything')).toBe('gdpr');
  });

  it('falls back to settings otherwise', () => {
    expect(categoryForAction('widget.x')).toBe('settings');
    expect(categoryForAction('user.frobbed')).toBe('settings');
    expect(categoryForAction('tunnel')).toBe('settings');
    expect(categoryForAction('.tunnel')).toBe('settings');
    expect(categoryForAction('')).toBe('settings');
  });
});

describe('describeEvent', () => {
  it('describes the reference example tunnel deletion', () => {
    expect(
      describeEvent({
        action: 'tunnel.deleted',
        actor: ALICE,
        target: { type: 'tunnel', id: 'tunnel_xyz789', name: 'api-staging.example.net' },
        metadata: { reason: 'No longer needed for testing' },
      }),
    ).toBe('Alice Chen deleted tunnel api-staging.example.net');
  });

  it('uses the target id when the target has no name, and drops a missing target', () => {
    expect(describeEvent({ action: 'tunnel.deleted', actor: ALICE, target: { id: 'tunnel_xyz789' } })).toBe(
      'Alice Chen deleted tunnel tunnel_xyz789',
    );
    expect(describeEvent({ action: 'tunnel.deleted', actor: ALICE, target: null })).toBe(
      'Alice Chen deleted tunnel',
    );
  });

  it('includes the reason of a failed login, and leaves it out when absent', () => {
    expect(
      describeEvent({ action: 'user.login_failed', actor: ALICE, metadata: { reason: 'invalid password' } }),
    ).toBe('Alice Chen failed to sign in: invalid password');
    expect(describeEvent({ action: 'user.login_failed', actor: ALICE, metadata: {} })).toBe(
      'Alice Chen failed to sign in',
    );
    expect(describeEvent({ action: 'user.login_failed', actor: ALICE, metadata: { reason: '  ' } })).toBe(
      'Alice Chen failed to sign in',
    );
  });

  it('describes a role change with and without the changes', () => {
    const event = { action: 'team.member_role_changed', actor: ALICE, target: { type: 'user', name: 'Bob' } };
    expect(describeEvent({ ...event, changes: { role: { old: 'member', new: 'admin' } } })).toBe(
      'Alice Chen changed the role of Bob from member to admin',
    );
    expect(describeEvent(event)).toBe('Alice Chen changed the role of Bob');
    expect(describeEvent({ ...event, changes: { role: { new: 'admin' } } })).toBe(
      'Alice Chen changed the role of Bob to admin',
    );
    expect(describeEvent({ ...event, changes: { role: 'admin' } })).toBe(
      'Alice Chen changed the role of Bob',
    );
    expect(describeEvent({ ...event, target: null })).toBe('Alice Chen changed the role of a member');
  });

  it('describes an unknown action, with "on {target}" only when there is a target', () => {
    expect(describeEvent({ action: 'widget.frobbed', actor: ALICE })).toBe(
      'Alice Chen performed widget.frobbed',
    );
    expect(describeEvent({ action: 'widget.frobbed', actor: ALICE, target: { name: 'gizmo' } })).toBe(
      'Alice Chen performed widget.frobbed on gizmo',
    );
  });

  it('names a missing actor "Someone", a system actor "System", and falls back from name to email to id', () => {
    expect(describeEvent({ action: 'user.logout' })).toBe('Someone signed out');
    expect(describeEvent({ action: 'user.logout', actor: null })).toBe('Someone signed out');
    expect(describeEvent({ action: 'user.logout', actor: { name: null, email: null, id: null } })).toBe(
      'Someone signed out',
    );
    expect(
      describeEvent({ action: 'review.triggered', actor: { type: 'system' }, target: { name: 'PR #42' } }),
    ).toBe('System triggered a review of PR #42');
    expect(describeEvent({ action: 'user.logout', actor: { name: '', email: 'alice@example.com' } })).toBe(
      'alice@example.com signed out',
    );
    expect(describeEvent({ action: 'user.logout', actor: { id: 'user_abc123' } })).toBe(
      'user_abc123 signed out',
    );
  });

  it('renders numbers and lists from metadata', () => {
    expect(
      describeEvent({
        action: 'access.api_call',
        actor: ALICE,
        metadata: { method: 'GET', path: '/api/v1/me', status: 200 },
      }),
    ).toBe('Alice Chen called the API: GET /api/v1/me (status 200)');
    expect(describeEvent({ action: 'access.api_call', actor: ALICE, metadata: { method: 'GET' } })).toBe(
      'Alice Chen called the API',
    );
    expect(describeEvent({ action: 'audit.retention_purged', metadata: { count: 0 } })).toBe(
      'Retention purge removed 0 events',
    );
    expect(
      describeEvent({
        action: 'security.api_token_created',
        actor: ALICE,
        metadata: { scope: ['read', 'ingest'] },
      }),
    ).toBe('Alice Chen created API token with scope read, ingest');
  });

  it('uses a placeholder fallback when the value is missing', () => {
    expect(describeEvent({ action: 'access.page_viewed', actor: ALICE })).toBe('Alice Chen viewed a page');
    expect(
      describeEvent({ action: 'access.page_viewed', actor: ALICE, metadata: { path: '/settings' } }),
    ).toBe('Alice Chen viewed /settings');
  });

  it('never expands placeholders or segments found inside values', () => {
    expect(
      describeEvent({
        action: 'user.login_failed',
        actor: { name: '{target} [x]' },
        target: { name: 'secret-target' },
        metadata: { reason: '{actor} {metadata.reason} [REDACTED]' },
      }),
    ).toBe('{target} [x] failed to sign in: {actor} {metadata.reason} [REDACTED]');
  });
});
