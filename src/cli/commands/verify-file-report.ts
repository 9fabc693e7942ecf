/** What `audit verify FILE` says of each file: proved (what, up to which checkpoint, with which key) or not and why. */

import type { TrustedKey } from '../../export/proof/trusted-key.js';
import type { FileVerification } from '../../export/proof/verify-file.js';
import { counted, groupDigits } from '../../format/counted.js';
import { formatTimestamp } from '../../format/time-format.js';

type Verified = FileVerification & { key: TrustedKey };

export function fileVerificationLines(result: Verified, zone: string): string[] {
  const { checkpoint, span } = result;
  const positions = span ? `, positions ${span.first}–${span.last}` : '';
  const lines =
    result.problems.length === 0
      ? [`✓ ${result.file}: ${counted(result.events, 'event')} proved complete and unmodified${positions}`]
      : [`✗ ${result.file}: TAMPERED`, ...result.problems.map((problem) => `  ${problem}`)];
  if (checkpoint) {
    const time = signedAt(checkpoint.extensions);
    lines.push(
      `  checkpoint: tree size ${groupDigits(checkpoint.size)}${time ? `, signed ${formatTimestamp(time, zone)}` : ''}, origin ${checkpoint.origin}`,
    );
  }
  if (result.erased > 0)
    lines.push(
      `  erased: ${counted(result.erased, 'event was', 'events were')} erased (GDPR) or purged after they were logged: their id, time, category and place are proved, their content cannot be (line${result.erased === 1 ? '' : 's'} ${result.erasedLines.join(', ')}${result.erased > result.erasedLines.length ? ', …' : ''})`,
    );
  lines.push(`  key: ${result.key.verifier.name} ${result.key.fingerprint} (${result.key.source})`);
  const filters = filterText(result);
  if (filters) lines.push(`  filters: ${filters}`);
  if (result.unchecked.length > 0)
    lines.push(
      `  not checked offline: the filters ${result.unchecked.join(', ')} (the server chose the rows; the leaves between them are proved, not whether they match these filters)`,
    );
  return lines;
}

export function fileVerificationJson(result: Verified) {
  const { checkpoint } = result;
  return {
    file: result.file,
    proof: result.proofFile,
    valid: result.problems.length === 0,
    events: result.events,
    erased_events: result.erased,
    erased_lines: result.erasedLines,
    positions: result.span,
    content: result.proof.content,
    filters: result.proof.filters,
    checkpoint: checkpoint
      ? {
          origin: checkpoint.origin,
          size: checkpoint.size,
          root: checkpoint.root.toString('base64'),
          signed_at: signedAt(checkpoint.extensions) ?? null,
        }
      : null,
    key: { name: result.key.verifier.name, fingerprint: result.key.fingerprint, source: result.key.source },
    problems: result.problems,
    not_checked_offline: result.unchecked,
  };
}

function signedAt(extensions: readonly string[]): string | undefined {
  return extensions.find((line) => line.startsWith('time '))?.slice(5);
}

function filterText(result: Verified): string {
  return Object.entries(result.proof.filters)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : value}`)
    .join(' ');
}
