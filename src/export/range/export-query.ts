/** What an export asks the server for: the filters, the pinned upper bound, where to start. */
import type { ExportParams } from '../../client/export-stream.js';
import type { ListParams } from '../../client/types.js';
import type { ResumePoint } from '../export-cursor.js';

export function exportQuery(
  params: ListParams,
  receivedBefore: string,
  resume: ResumePoint | undefined,
  treeSize?: number,
): ExportParams {
  // A proved export is pinned by the checkpoint's tree size instead: exactly its events, whatever
  // this machine's clock says (a bound from it could drop events the checkpoint holds).
  const query: ListParams = {
    ...params,
    ...(treeSize === undefined ? { received_before: receivedBefore } : { tree_size: treeSize }),
  };
  // Oldest first and the page size are the exporter's (the stream refuses them).
  delete query.order;
  delete query.per_page;
  delete query.page;
  delete query.after;
  delete query.cursor;
  if (resume?.pageCursor) query.cursor = resume.pageCursor;
  return query;
}
