/** The list query an export pages through: oldest first, full pages, pinned upper bound. */
import type { ListParams } from '../../client/types.js';
import { MAX_PAGE_SIZE } from '../../domain/request-limits.js';
import type { ResumePoint } from '../export-cursor.js';

/** Full pages: the fewest round trips. */
export const EXPORT_PAGE_SIZE = MAX_PAGE_SIZE;

export function exportPageQuery(
  params: ListParams,
  receivedBefore: string,
  resume: ResumePoint | undefined,
  treeSize?: number,
): ListParams {
  // A proved export is pinned by the checkpoint's tree size instead: exactly its events, whatever
  // this machine's clock says (a bound from it could drop events the checkpoint holds).
  const query: ListParams & { tree_size?: number } = {
    ...params,
    order: 'asc',
    per_page: EXPORT_PAGE_SIZE,
    ...(treeSize === undefined ? { received_before: receivedBefore } : { tree_size: treeSize }),
  };
  delete query.page;
  delete query.after;
  delete query.cursor;
  if (resume?.pageCursor) query.cursor = resume.pageCursor;
  return query;
}
