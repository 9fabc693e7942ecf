/** The organization-scoped paths of the API, for the organization a client was given. */
export function logsPath(org: string | undefined): string {
  if (!org) {
    throw new Error('no organization given: pass { org } to AuditClient (the CLI: --org or AUDIT_ORG)');
  }
  return `/api/v1/organizations/${encodeURIComponent(org)}/audit-logs`;
}

/** The streamed export of a range (src/domain/export-stream.ts). */
export function exportPath(org: string | undefined): string {
  return `${logsPath(org)}/export`;
}

/** Counts of matching events, grouped. */
export function statsPath(org: string | undefined): string {
  return `${logsPath(org)}/stats`;
}

export function orgPath(org: string | undefined): string {
  return logsPath(org).replace(/\/audit-logs$/, '');
}

export function webhooksPath(org: string | undefined, id?: string): string {
  return `${orgPath(org)}/webhooks${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
}
