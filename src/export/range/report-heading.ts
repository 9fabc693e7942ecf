/**
 * The PDF report's heading: title, organization, the period in the display zone, the filters,
 * and when it was made: the instant the export pinned its range at (`startedAt`, the request's clock).
 */
import { formatTimestamp } from '../../format/time-format.js';
import type { SinkOptions } from '../export-sink.js';
import type { ExportRequest } from '../types.js';

export function reportHeading(request: ExportRequest, startedAt: number): SinkOptions['report'] {
  const { params, zone } = request;
  const bound = (iso: string | undefined, fallback: string) =>
    iso === undefined ? fallback : formatTimestamp(iso, zone);
  return {
    title: 'Audit log report',
    organization: request.description?.organization ?? request.client.org ?? '',
    period: `${bound(params.from, 'the beginning')} to ${bound(params.to, 'now')} (${zone})`,
    filters: request.description?.filters ?? {},
    generatedAt: new Date(startedAt),
  };
}
