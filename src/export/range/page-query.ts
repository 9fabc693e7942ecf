/** The list query an export pages through: oldest first, full pages, pinned upper bound. */
import type { ListParams } from '../../client/types.js';
import type { ResumePoint } from '../export-cursor.js';

export const EXPORT_PAGE_SIZE = 1000;

export function exportPageQuery(
  params: ListParams,
  receivedBefore: string,
  resume: ResumePoint | undefined,
): ListParams {
  const query: ListParams = {
    ...params,
    order: 'asc',
    per_page: EXPORT_PAGE_SIZE,
    received_before: receivedBefore,
  };
  delete query.page;
  delete query.after;
  delete query.cursor;
  if (resume?.pageCursor) query.cursor = resume.pageCursor;
  return query;
}
