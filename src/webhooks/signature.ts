import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Audit-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A generated signing secret: 32 random bytes, with a prefix secret scanners can look for. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Hex HMAC-SHA256 of `${t}.${body}` under the webhook's secret. */
export function computeSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `Audit-Signature` header value: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, body: string | Buffer, nowMs: number = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export interface VerifyOptions {
  /** How far the signed time may be from now, either way; default 300 s. Refuses replays. */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds; default Date.now(). */
  now?: number;
}

/**
 * For receivers: true when `header` carries a `v1` signature of exactly this raw body under
 * `secret`, made within the tolerance of now. Compare the body as received, before parsing it.
 * Several `v1=` entries are allowed (any one may match), so a secret can be rotated.
 */
export function verifySignature(
  header: string | null | undefined,
  body: string | Buffer,
  secret: string,
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2) as [string, string | undefined];
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return false;
  const expected = Buffer.from(computeSignature(secret, timestamp, body), 'hex');
  return signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
}
