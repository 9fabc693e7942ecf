/** The `cursor` of a `Link: <…>; rel="next"` header, if it has one. */
export function nextCursorOfLink(link: string | string[] | undefined): string | undefined {
  const value = Array.isArray(link) ? link.join(', ') : link;
  const target = value && /<([^>]*)>\s*;\s*rel="?next"?/.exec(value)?.[1];
  if (!target) return undefined;
  return new URL(target, 'http://link.invalid').searchParams.get('cursor') ?? undefined;
}
