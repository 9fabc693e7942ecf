/**
 * The plans an organization may be on, and how long each keeps its events (from the reference
 * documents): the server's retention and the CLI's `server org set-plan` read them from here.
 */
export const PLANS = ['free', 'paid', 'fleet', 'enterprise', 'unlimited'] as const;
export type Plan = (typeof PLANS)[number];

/** Days a fixed-window plan keeps. `unlimited` never purges; `enterprise` chooses its window. */
export const PLAN_RETENTION_DAYS: Record<Exclude<Plan, 'enterprise' | 'unlimited'>, number> = {
  free: 30,
  paid: 90,
  fleet: 365,
};

/** The longest window, and the enterprise plan's default. */
export const ENTERPRISE_MAX_RETENTION_DAYS = 730;

export function retentionDaysFor(plan: Plan, requestedDays: number | undefined): number | null {
  if (plan === 'unlimited') return null;
  if (plan === 'enterprise') return requestedDays ?? ENTERPRISE_MAX_RETENTION_DAYS;
  return PLAN_RETENTION_DAYS[plan];
}
