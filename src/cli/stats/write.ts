/** Writes a stats answer in the format chosen: the chart on a terminal, the numbers otherwise. */
import type { StatsData } from '../../client/types.js';
import { ApiError } from '../errors.js';
import { chartWidth } from '../output/charts/width.js';
import { guardClosedPipe } from '../output/pipe.js';
import type { Session } from '../session.js';
import { statsChartLines } from './chart.js';
import type { StatsFormat, StatsRequest } from './request.js';
import { statsText } from './rows.js';

export async function writeStats(
  session: Session,
  data: StatsData,
  request: StatsRequest,
  format: StatsFormat,
): Promise<void> {
  assertStatsShape(data);
  const { context } = session;
  const text =
    format === 'chart'
      ? `${statsChartLines(data, request, {
          width: chartWidth(context.env, context.stdout as NodeJS.WriteStream),
          color: session.color,
          zone: session.zone,
        }).join('\n')}\n`
      : statsText(data, request.dimensions, format, session.stdoutIsTerminal);
  await writeAll(context.stdout, text);
  if (format !== 'chart' && format !== 'json' && data.total === 0) context.stderr.write('No events found.\n');
}

/** Written whole, or dropped quietly when the reader went away (`audit stats | head -3`). */
function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    const unguard = guardClosedPipe(stream, resolve);
    stream.write(text, (error) => {
      // On a failed write the stream's 'error' event is still to come: the guard stays for it.
      if (!error) unguard();
      resolve();
    });
  });
}

/** A server that is not this API's (a proxy's page, an old version) ends in one line, not a stack. */
function assertStatsShape(data: StatsData): void {
  const groupsOk =
    Array.isArray(data.groups) &&
    data.groups.every(
      (group) => typeof group === 'object' && group !== null && Number.isSafeInteger(group.count),
    );
  if (!groupsOk || !Number.isSafeInteger(data.total) || typeof data.to !== 'string') {
    throw new ApiError('the server sent a stats answer this CLI cannot read (no groups with counts)');
  }
}
