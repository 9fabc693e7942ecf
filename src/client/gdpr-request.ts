/** The body of a GDPR request (export or erasure) and the call options beside it. */
import type { CallOptions } from './client-options.js';
import type { GdprSubjectOptions } from './types.js';

export interface SubjectRequest {
  call: CallOptions;
  body: { user: string } & GdprSubjectOptions;
}

/** `options` split into the call's own and the subject's; empty lists are left out of the body. */
export function subjectRequest(user: string, options: CallOptions & GdprSubjectOptions): SubjectRequest {
  const { identifiers, names, ...call } = options;
  // Only the lists that have something in them, so an older server sees the body it knows.
  return {
    call,
    body: {
      user,
      ...(identifiers?.length ? { identifiers } : {}),
      ...(names?.length ? { names } : {}),
    },
  };
}

/** The subject-access export's path for an organization's base path (orgPath). */
export function gdprExportPath(orgPath: string): string {
  return `${orgPath}/gdpr/exports`;
}
