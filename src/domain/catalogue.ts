import { type Category, isCategory } from './categories.js';

/**
 * One known action, its category and how to describe it.
 *
 * Template syntax:
 * - `{actor}`: actor name, else email, else id, else "System" for a system actor, else "Someone";
 * - `{target}` (name, else id), `{target_type}`, `{action}`, `{metadata.KEY}`, `{changes.KEY.old}`,
 *   `{changes.KEY.new}` (nested keys allowed: `{metadata.a.b}`);
 * - `{path|fallback}` renders `fallback` when the value is missing;
 * - `[ ... ]` is an optional segment, dropped whole when any placeholder inside is missing.
 */
export interface CatalogueEntry {
  action: string;
  category: Category;
  template: string;
}

export interface DescribableEvent {
  action: string;
  actor?: { name?: string | null; email?: string | null; id?: string | null; type?: string | null } | null;
  target?: { type?: string | null; name?: string | null; id?: string | null } | null;
  metadata?: Record<string, unknown> | null;
  changes?: Record<string, unknown> | null;
}

function inCategory(category: Category, templates: Record<string, string>): CatalogueEntry[] {
  return Object.entries(templates).map(([action, template]) => ({ action, category, template }));
}

/** Every action named in the Jasper and Jetty reference documents, plus the bundled server's own. */
export const ACTION_CATALOGUE: readonly CatalogueEntry[] = [
  // `user.*` sign-in events are authentication, not profile changes, despite the prefix.
  ...inCategory('auth', {
    'user.login': '{actor} signed in[ via {metadata.method}]',
    'user.logout': '{actor} signed out',
    'user.login_failed': '{actor} failed to sign in[: {metadata.reason}]',
    'user.oauth_refreshed': '{actor} refreshed their[ {metadata.provider}] OAuth token',
  }),
  ...inCategory('security', {
    'security.password_changed': '{actor} changed their password',
    'security.password_reset': '{actor} reset a password[ for {target}]',
    'security.two_factor_enabled': '{actor} enabled two-factor authentication',
    'security.two_factor_disabled': '{actor} disabled two-factor authentication',
    'security.recovery_codes_regenerated': '{actor} regenerated their two-factor recovery codes',
    'security.sessions_revoked': '{actor} revoked[ {metadata.count}] sessions[ of {target}]',
    'security.api_token_created': '{actor} created API token[ {target}][ with scope {metadata.scope}]',
    'security.api_token_revoked': '{actor} revoked API token[ {target}]',
    'security.api_token_scope_changed':
      '{actor} changed the scope of API token[ {target}][ from {changes.scope.old}][ to {changes.scope.new}]',
    'security.authentication_failed': '{actor} failed to authenticate[: {metadata.reason}]',
    'security.api_auth_failed':
      'API authentication failed[: {metadata.reason}][ (attempts: {metadata.count})]',
    'security.account_locked': 'Account[ {target}] was locked[: {metadata.reason}]',
    'security.unusual_login_location': '{actor} signed in from an unusual location[: {metadata.location}]',
  }),
  ...inCategory('profile', {
    'user.updated': '{actor} updated their profile',
    'profile.name_changed': '{actor} changed their name[ from {changes.name.old}][ to {changes.name.new}]',
    'profile.email_changed':
      '{actor} changed their email address[ from {changes.email.old}][ to {changes.email.new}]',
    'profile.avatar_changed': '{actor} changed their avatar',
    'profile.notification_preferences_changed': '{actor} changed their notification preferences',
    'profile.preferences_updated': '{actor} updated their preferences',
  }),
  ...inCategory('team', {
    'team.created': '{actor} created team[ {target}]',
    'team.renamed': '{actor} renamed team[ {target}][ from {changes.name.old}][ to {changes.name.new}]',
    'team.deleted': '{actor} deleted team[ {target}]',
    'team.settings_updated': '{actor} updated team settings[ for {target}]',
    'team.member_invited': '{actor} invited {target|a new member}[ as {metadata.role}]',
    'team.member_joined': '{actor} joined the team',
    'team.invitation_accepted': '{actor} accepted an invitation[ to join {target}]',
    'team.invitation_revoked': '{actor} revoked the invitation[ for {target}]',
    'team.member_added': '{actor} added {target|a member}[ as {metadata.role}]',
    'team.member_removed': '{actor} removed {target|a member}[: {metadata.reason}]',
    'team.member_role_changed':
      '{actor} changed the role of {target|a member}[ from {changes.role.old}][ to {changes.role.new}]',
    'organization.owner_transferred': '{actor} transferred organization ownership[ to {target}]',
  }),
  ...inCategory('review', {
    'review.triggered': '{actor} triggered a review[ of {target}]',
    'review.completed': 'Review[ of {target}] completed',
    'review.failed': 'Review[ of {target}] failed[: {metadata.reason}]',
    'review.manually_triggered': '{actor} manually requested a review[ of {target}]',
  }),
  ...inCategory('tunnel', {
    'tunnel.created': '{actor} created tunnel[ {target}]',
    'tunnel.deleted': '{actor} deleted tunnel[ {target}]',
    'tunnel.started': '{actor} started tunnel[ {target}]',
    'tunnel.stopped': '{actor} stopped tunnel[ {target}]',
    'tunnel.settings_updated': '{actor} updated tunnel settings[ for {target}]',
    'tunnel.basic_auth_changed': '{actor} changed basic auth[ for tunnel {target}]',
    'tunnel.ip_allowlist_changed': '{actor} changed the IP allowlist[ for tunnel {target}]',
    'tunnel.request_inspection_changed': '{actor} changed request inspection[ for tunnel {target}]',
    'tunnel.redaction_rules_changed': '{actor} changed redaction rules[ for tunnel {target}]',
    'subdomain.reserved': '{actor} reserved subdomain[ {target}]',
    'subdomain.released': '{actor} released subdomain[ {target}]',
    'subdomain.assigned': '{actor} assigned subdomain[ {target}][ to tunnel {metadata.tunnel}]',
    'subdomain.removed': '{actor} removed subdomain[ {target}]',
    'custom_domain.added': '{actor} added custom domain[ {target}]',
    'custom_domain.verified': '{actor} verified custom domain[ {target}]',
    'custom_domain.removed': '{actor} removed custom domain[ {target}]',
    'custom_domain.settings_updated': '{actor} updated custom domain settings[ for {target}]',
    'certificate.issued': 'SSL certificate issued[ for {target}]',
    'certificate.renewed': 'SSL certificate renewed[ for {target}]',
  }),
  ...inCategory('billing', {
    'billing.credits_used': '{actor} used[ {metadata.credits}] credits[ on {target}]',
    'billing.credits_purchased': '{actor} purchased[ {metadata.credits}] credits[ for {metadata.amount}]',
    'billing.credits_refunded': '{actor} refunded[ {metadata.credits}] credits[: {metadata.reason}]',
    'billing.free_tier_reset': 'Monthly free credits were added[ ({metadata.credits} credits)]',
    'billing.subscription_upgraded':
      '{actor} upgraded the plan[ from {changes.plan.old}][ to {changes.plan.new}]',
    'billing.subscription_downgraded':
      '{actor} downgraded the plan[ from {changes.plan.old}][ to {changes.plan.new}]',
    'billing.subscription_cancelled': '{actor} cancelled the subscription[: {metadata.reason}]',
    'billing.subscription_resumed': '{actor} resumed the subscription',
    'billing.payment_method_added': '{actor} added a payment method[ ending in {metadata.last4}]',
    'billing.payment_method_removed': '{actor} removed a payment method[ ending in {metadata.last4}]',
    'billing.payment_method_updated': '{actor} updated a payment method[ ending in {metadata.last4}]',
    'billing.payment_succeeded': 'Payment[ of {metadata.amount}] succeeded',
    'billing.payment_failed': 'Payment[ of {metadata.amount}] failed[: {metadata.reason}]',
    'billing.invoice_generated': 'Invoice[ {target}] generated[ for {metadata.amount}]',
    'billing.refund_issued': '{actor} issued a refund[ of {metadata.amount}][: {metadata.reason}]',
  }),
  ...inCategory('settings', {
    'settings.integration_updated': '{actor} updated the[ {target}] integration',
    'settings.organization_updated': '{actor} updated organization settings',
  }),
  ...inCategory('access', {
    'access.page_viewed': '{actor} viewed {metadata.path|a page}',
    'access.api_call':
      '{actor} called the API[: {metadata.method} {metadata.path}][ (status {metadata.status})]',
    'access.exported': '{actor} exported data[ as {metadata.format}]',
  }),
  ...inCategory('gdpr', {
    // The erasure record must hold no personal data, so it names no target.
    'gdpr.user_erased': "{actor} erased a user's personal data[ ({metadata.count} events)]",
    'gdpr.export_requested': '{actor} requested a GDPR export[ for {target}]',
  }),
  ...inCategory('audit', {
    'audit.exported': '{actor} exported the audit log[ as {metadata.format}][ ({metadata.count} events)]',
    'audit.retention_purged':
      'Retention purge removed[ {metadata.count}] events[ older than {metadata.retention_days} days]',
    'audit.checkpoint_signed': 'The server signed a checkpoint of the log[ at {metadata.tree_size} events]',
  }),
];

const ENTRIES_BY_ACTION = new Map(ACTION_CATALOGUE.map((entry) => [entry.action, entry]));

const UNKNOWN_ACTION_TEMPLATE = '{actor} performed {action}[ on {target}]';

export function lookupAction(action: string): CatalogueEntry | undefined {
  return ENTRIES_BY_ACTION.get(action);
}

/** Catalogue category; else the prefix before the first '.' when that is a category; else 'settings'. */
export function categoryForAction(action: string): Category {
  const known = lookupAction(action);
  if (known) return known.category;
  const dot = action.indexOf('.');
  const prefix = dot > 0 ? action.slice(0, dot) : '';
  return isCategory(prefix) ? prefix : 'settings';
}

/** Description from the template, e.g. "Alice Chen deleted tunnel api-staging.example.net". */
export function describeEvent(event: DescribableEvent): string {
  const template = lookupAction(event.action)?.template ?? UNKNOWN_ACTION_TEMPLATE;
  return renderTemplate(template, (path) => resolvePlaceholder(event, path));
}

// One pass over the template, so placeholders inside substituted values are never expanded.
const SEGMENT_OR_PLACEHOLDER = /\[([^[\]]*)\]|\{([a-z0-9_.]+)(?:\|([^{}]*))?\}/gi;
const PLACEHOLDER = /\{([a-z0-9_.]+)(?:\|([^{}]*))?\}/gi;

function renderTemplate(template: string, resolve: (path: string) => string | undefined): string {
  const rendered = template.replace(
    SEGMENT_OR_PLACEHOLDER,
    (_match, segment: string | undefined, path: string | undefined, fallback: string | undefined) => {
      if (segment === undefined) return resolve(path ?? '') ?? fallback ?? '';
      let complete = true;
      const text = segment.replace(PLACEHOLDER, (_inner, innerPath: string, innerFallback?: string) => {
        const value = resolve(innerPath) ?? innerFallback;
        if (value === undefined) complete = false;
        return value ?? '';
      });
      return complete ? text : '';
    },
  );
  return rendered.replace(/ {2,}/g, ' ').trim();
}

function resolvePlaceholder(event: DescribableEvent, path: string): string | undefined {
  const [root, ...keys] = path.split('.');
  switch (root) {
    case 'actor':
      return actorLabel(event.actor);
    case 'action':
      return event.action;
    case 'target':
      return nonEmpty(event.target?.name) ?? nonEmpty(event.target?.id);
    case 'target_type':
      return nonEmpty(event.target?.type);
    case 'metadata':
      return displayValue(valueAt(event.metadata, keys));
    case 'changes':
      return displayValue(valueAt(event.changes, keys));
    default:
      return undefined;
  }
}

function actorLabel(actor: DescribableEvent['actor']): string {
  const named = nonEmpty(actor?.name) ?? nonEmpty(actor?.email) ?? nonEmpty(actor?.id);
  if (named) return named;
  // An absent actor is not assumed to be the system: a failed sign-in by an unknown person has none.
  return actor?.type === 'system' ? 'System' : 'Someone';
}

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let current = root;
  for (const key of keys) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function displayValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return nonEmpty(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(displayValue).filter((part) => part !== undefined);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return JSON.stringify(value);
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
