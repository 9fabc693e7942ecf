/**
 * The event the server records each time it signs a checkpoint of an organization's log (at
 * most one a minute while the log grows). Like page views and API calls it is housekeeping:
 * lists, searches and live streams show it in detailed mode or when asked for by its exact
 * action name, and webhooks receive it only when they name it exactly.
 */
export const CHECKPOINT_SIGNED = 'audit.checkpoint_signed';

/** Its category (the catalogue's, for every `audit.*` record). */
export const CHECKPOINT_CATEGORY = 'audit';

/** Whether a filter lets checkpoint records through. */
export function showsCheckpointRecords(filter: { detailed?: boolean; actions?: readonly string[] }): boolean {
  return filter.detailed === true || (filter.actions?.includes(CHECKPOINT_SIGNED) ?? false);
}
