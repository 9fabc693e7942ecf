/** Runs a resolved `audit export`: progress, Ctrl-C, the resume line, the audit record. */
import type { ListParams } from '../../client/types.js';
import { exportRange } from '../../export/export-range.js';
import type { ExportPlan } from '../../export/plan.js';
import { ApiError, CliError, EXIT } from '../errors.js';
import type { Session } from '../session.js';
import { createExportReporter, exportSummary, interruptionLine } from './export-report.js';
import { resumeCommand } from './export-resume.js';

export async function runExport(session: Session, plan: ExportPlan): Promise<void> {
  const { context } = session;
  const { params, format, output } = plan;
  let retries = 0;
  let reporter: Awaited<ReturnType<typeof createExportReporter>> | undefined;
  const { RETRY_ATTEMPTS } = await import('../../client/retry.js');
  const client = await session.client({
    attempts: RETRY_ATTEMPTS.bulk,
    onRetry: (info) => {
      retries++;
      reporter?.retry(info);
    },
  });
  const stop = new AbortController();
  let stoppedBy: 'signal' | 'pipe' | undefined;
  void context.interrupted.then(() => {
    stoppedBy ??= 'signal';
    stop.abort();
  });
  const { guardClosedPipe } = await import('../output/pipe.js');
  const unguard =
    output === '-'
      ? guardClosedPipe(context.stdout, () => {
          stoppedBy ??= 'pipe';
          stop.abort();
        })
      : () => {};
  const filters = describeFilters(params);
  try {
    const proved = plan.proof ? await import('./export-proof-run.js') : undefined;
    const pinned = proved ? await proved.pinForExport(client, stop.signal) : undefined;
    reporter = await createExportReporter(context, output);
    const progress = reporter;
    const result = await exportRange({
      ...(pinned ? { treeSize: pinned.size } : {}),
      client,
      params,
      format,
      columns: plan.columns,
      output,
      outputNamedByUser: plan.outputNamedByUser,
      gzip: plan.gzip,
      split: plan.split,
      zone: session.zone,
      resume: plan.resume,
      signal: stop.signal,
      stdout: context.stdout,
      retries: () => retries,
      onProgress: (update) => progress.progress(update),
      onRendering: (update) => progress.rendering(update),
      description: { organization: client.org ?? '', filters },
    }).catch((error: unknown) => {
      if (stoppedBy === 'pipe') return undefined;
      throw error;
    });
    // The reader of `-o -` went away (`| head`): not a failure.
    if (!result || stoppedBy === 'pipe') return;
    if (result.interrupted) {
      const resume = (cursor: string) =>
        resumeCommand(plan, { globals: session.flags, zone: session.zone }, cursor);
      const code = result.interrupted.cause === 'signal' ? EXIT.interrupted : EXIT.failure;
      reporter.stop();
      throw new CliError(interruptionLine(result, output, resume), code);
    }
    const proofs =
      proved && pinned ? await proved.writeProofs(client, plan, result, pinned, session.zone) : [];
    const record = {
      kind: 'export' as const,
      format,
      count: result.count,
      files: result.files.length,
      filters,
    };
    await client.recordExport(record).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(`the export was written, but the server did not record it: ${reason}`, undefined, {
        cause: error,
      });
    });
    reporter.done(
      exportSummary(result, output) + (proved ? proved.proofSummary(proofs, pinned?.size ?? 0) : ''),
    );
  } finally {
    reporter?.stop();
    unguard();
    await client.close();
  }
}

/** The filters as the audit.exported event records them (the server caps values at 1024 characters). */
function describeFilters(params: ListParams): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    filters[key] = text.length > 1024 ? `${text.slice(0, 1023)}…` : text;
  }
  return filters;
}
