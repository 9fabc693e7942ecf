import type { AuditEvent } from '../domain/event.js';
import type { WebhookFormat } from '../domain/webhook-rules.js';
import { buildPayload } from './payloads.js';
import type { Outgoing } from './sender.js';
import { signatureHeader } from './signature.js';

export interface MessageTarget {
  url: string;
  format: WebhookFormat;
  secret: string;
  organization: string;
}

/**
 * The request for one delivery, whatever its format: the body, signed (chat platforms ignore
 * the header; every format carries it so a relay can check it too), with the delivery id a
 * receiver de-duplicates on (delivery is at least once) and the event id.
 */
export function buildOutgoing(
  target: MessageTarget,
  event: AuditEvent,
  deliveryId: string,
  nowMs: number,
): Outgoing {
  const body = JSON.stringify(buildPayload(target.format, { event, organization: target.organization }));
  const url = new URL(target.url);
  return {
    url: target.url,
    body,
    headers: {
      'audit-signature': signatureHeader(target.secret, body, nowMs),
      'audit-delivery': deliveryId,
      'audit-event': event.id,
    },
    // Chat webhook URLs carry their credential in the path or query: never in an error line.
    secrets: [target.secret, target.url, `${url.pathname}${url.search}`].filter((value) => value.length > 1),
  };
}
