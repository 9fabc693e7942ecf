/** The event categories of the SPEC, in the order the reference documents introduce them. */
export const CATEGORIES = [
  'auth',
  'security',
  'profile',
  'team',
  'review',
  'tunnel',
  'billing',
  'settings',
  'access',
  'gdpr',
  'audit',
] as const;

export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Categories hidden unless the caller asks for detailed mode (page views, API calls). */
export const DETAILED_ONLY_CATEGORIES: readonly Category[] = ['access'];
