/** `audit verify`'s report in words, one fact per line, like `aws cloudtrail validate-logs`. */

import { counted, groupDigits } from '../../format/counted.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp, zoneLabel } from '../../format/time-format.js';
import type { CheckpointSummary, VerifyReport } from '../../verify/online-verify.js';

interface ReportContext {
  server: string;
  profile: string;
  zone: string;
}

const LABEL_WIDTH = 14;

export function reportLines(report: VerifyReport, context: ReportContext): string[] {
  const safe = sanitizeForDisplay;
  const log = report.origin === null ? '' : ` (log ${safe(report.origin)})`;
  const lines = [`Verifying the audit log of ${safe(report.org)} at ${safe(context.server)}${log}`, ''];
  const row = (label: string, text: string) => lines.push(`${label.padEnd(LABEL_WIDTH)}${text}`);
  if (report.checkpoint) {
    const sealed =
      report.sealed_size !== null && report.sealed_size > report.checkpoint.size
        ? ` (${groupDigits(report.sealed_size)} sealed so far)`
        : '';
    row('Checkpoint', `${describe(report.checkpoint, context.zone)}${sealed}`);
  }
  if (report.key) {
    const pin = {
      'first-use': 'pinned now (first use)',
      pinned: 'matches the pinned key',
      're-pinned': `pinned now, replacing ${safe(report.key.replaced_fingerprint ?? 'the old key')} (--trust-new-key)`,
    }[report.key.pin];
    row('Signing key', `${safe(report.key.fingerprint)} (${safe(report.key.name)}), ${pin}`);
  }
  if (report.consistent_with) {
    row(
      'Consistency',
      `extends the checkpoint of ${describe(report.consistent_with, context.zone)} that profile ${safe(context.profile)} saw last`,
    );
  } else if (report.checkpoint && report.result === 'valid') {
    row('Consistency', `no earlier checkpoint seen by profile ${safe(context.profile)}; remembered this one`);
  }
  if (report.witness) {
    const against = report.witness.consistent_with
      ? `extends its last checkpoint, of ${describe(report.witness.consistent_with, context.zone)}`
      : 'no checkpoint saved there before';
    const appended = report.witness.appended
      ? '; appended'
      : report.result === 'valid'
        ? '; already saved'
        : '';
    row('Saved copy', `${safe(report.witness.file)}: ${against}${appended}`);
  }
  if (report.full) {
    const { leaves, events, erased, purged } = report.full;
    const rootOk = report.problems.some((problem) => problem.kind === 'root-mismatch')
      ? 'does NOT match'
      : 'matches';
    row(
      'Events',
      `${counted(leaves, 'leaf', 'leaves')} and ${counted(events, 'event')} recomputed (${groupDigits(erased)} erased, ${groupDigits(purged)} purged); the root ${rootOk}`,
    );
  }
  if (!report.full && report.checkpoint)
    row('Events', 'not re-read (audit verify --full recomputes each one)');
  for (const problem of report.problems) {
    const more = problem.more ? ` (and ${groupDigits(problem.more)} more like it)` : '';
    lines.push(`TAMPERED: ${safe(problem.message)}${more}`);
  }
  lines.push('', `Result: ${report.result === 'valid' ? 'valid' : 'TAMPERED'}`);
  return lines;
}

function describe(checkpoint: CheckpointSummary, zone: string): string {
  const signed =
    checkpoint.signed_at === null
      ? ''
      : ` signed ${formatTimestamp(checkpoint.signed_at, zone)} ${zoneLabel(zone, checkpoint.signed_at)}`;
  return `${counted(checkpoint.size, 'event')}${signed}`;
}
