/** The columns of the events table and what each shows of an event. */

import type { AuditEvent } from '../../domain/event.js';
import { formatTimestamp } from '../../format/time-format.js';
import { pdfText } from './text.js';

export interface Column {
  header: string;
  /** Points; the last column takes what the others leave. */
  width: number;
  /** Lines a cell may wrap to before it is cut with an ellipsis. */
  maxLines: number;
  cell(event: AuditEvent, zone: string): string;
}

// Failed sign-ins, role changes, API tokens created or revoked.
function actorText(event: AuditEvent): string {
  const actor = event.actor;
  if (!actor) return '';
  const name = pdfText(actor.name);
  const email = pdfText(actor.email);
  if (name && email && name !== email) return `${name} (${email})`;
  return name || email || pdfText(actor.id) || (actor.type === 'system' ? 'system' : '');
}

function targetText(event: AuditEvent): string {
  const target = event.target;
  if (!target) return '';
  return pdfText(target.name) || pdfText(target.id);
}

/** Column widths for a table `width` points wide (A4 landscape: about 770). */
export function eventColumns(width: number, zone: string): Column[] {
  const columns: Column[] = [
    {
      header: `Time (${pdfText(zone)})`,
      width: 86,
      maxLines: 1,
      cell: (event, displayZone) => pdfText(formatTimestamp(event.timestamp, displayZone)),
    },
    { header: 'Category', width: 50, maxLines: 1, cell: (event) => pdfText(event.category) },
    { header: 'Action', width: 116, maxLines: 2, cell: (event) => pdfText(event.action) },
    { header: 'Actor', width: 135, maxLines: 2, cell: actorText },
    { header: 'Target', width: 116, maxLines: 2, cell: targetText },
    { header: 'IP', width: 72, maxLines: 2, cell: (event) => pdfText(event.context?.ip_address) },
    { header: 'Description', width: 0, maxLines: 3, cell: (event) => pdfText(event.description) },
  ];
  const fixed = columns.reduce((sum, column) => sum + column.width, 0);
  const last = columns[columns.length - 1];
  if (last) last.width = Math.max(120, width - fixed);
  return columns;
}
