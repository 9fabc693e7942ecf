/**
 * Secrets recognized by their shape inside any text a sender stores: bearer and Basic
 * credentials, JWTs, audit API tokens, passwords in connection URLs, secret query parameters and
 * PEM private keys. What surrounds a secret is kept (`postgres://app:[REDACTED]@db`), so the
 * record still says what happened.
 */
import { isSecretKey } from './secret-keys.js';

export const REDACTED = '[REDACTED]';

const BEARER = /\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\bbasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
// No word boundary (`id_token_eyJ…` is still a JWT); a header of 10+ characters keeps prose
// such as `heyJohn.doe.x` out.
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// No word boundaries: a token glued to other text (`x=adt_…`, `my_adt_…`) is still a token.
const AUDIT_TOKEN = /adt_[0-9A-Za-z]{46}/g;
/** `scheme://user:password@`: the password runs to the last `@` before the path. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):([^\s/?#]+)@/gi;
/**
 * `name=value` after the start, a space or a separator (`?&#;,(` or a quote): a query string, a
 * form body, a config line; the value plain or quoted, the name possibly percent-encoded.
 */
const PARAMETER = /(^|[?&#;,(\s"'])([A-Za-z0-9_.%[\]-]+)=("[^"]*"|'[^']*'|[^&#;)\s"'<>]+)/g;
/** A whole private key block, or everything after its BEGIN line when the END was cut off. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
/** What every match of the patterns above contains (and, case aside, a little more). */
const MAY_HOLD_SECRET = /bearer|basic|eyJ|adt_|:\/\/|=|-----BEGIN/i;
/** A Basic credential decodes to printable `user:password`. */
const BASIC_CREDENTIALS = /^[\x20-\x7e]*:[\x20-\x7e]*$/;

/**
 * Prose such as "Bearer token expired" (a typical failure reason) is not a credential. Only
 * these plain words are spared, so any unknown word after "Bearer" is still redacted.
 */
const BEARER_PROSE_WORDS = new Set([
  'token',
  'tokens',
  'auth',
  'authentication',
  'authorization',
  'scheme',
  'header',
  'credentials',
  'missing',
  'required',
  'invalid',
  'expired',
  'is',
  'was',
  'of',
  'the',
  'a',
  'an',
  'and',
  'or',
  'not',
]);

function redactBearer(match: string): string {
  const credential = match.replace(/^bearer\s+/i, '').replace(/\.+$/, '');
  return BEARER_PROSE_WORDS.has(credential.toLowerCase()) ? match : REDACTED;
}

function redactBasic(match: string, credential: string): string {
  const decoded = Buffer.from(credential, 'base64').toString('latin1');
  return BASIC_CREDENTIALS.test(decoded) ? REDACTED : match;
}

function redactParameter(_match: string, before: string, name: string, value: string): string {
  if (isSecretKey(name)) return `${before}${name}=${REDACTED}`;
  // An ordinary value may run on into the next pair (`a=1,token=…`): look inside it too.
  return `${before}${name}=${value.replace(PARAMETER, redactParameter)}`;
}

/** Every secret shape in `value` replaced by REDACTED; the text around it kept. */
export function redactSecretString(value: string): string {
  // Nearly every string holds none of them: one scan instead of seven replace passes (the
  // redaction was a fifth of the time an event takes to normalize).
  if (!MAY_HOLD_SECRET.test(value)) return value;
  return value
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(PARAMETER, redactParameter)
    .replace(BEARER, redactBearer)
    .replace(BASIC, redactBasic)
    .replace(JWT, REDACTED)
    .replace(AUDIT_TOKEN, REDACTED);
}
