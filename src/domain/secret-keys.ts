/** Which keys of a sender's JSON name a secret, so that their values are never stored. */

/**
 * Compared against the key lowercased with '-', '_', '.' and spaces removed, so `api_key` also
 * covers `apiKey`, `API-KEY` and `x_api_key`. The SPEC says any key that *contains* one of these
 * words, so `tokens_used` or `cookie_consent` are redacted too: deliberate, a false positive only
 * hides a value, a false negative stores a secret.
 */
const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'credential',
];

/**
 * Short names that are secrets only as a whole word of the key (`pwd`, `db_pass`, `userPwd`):
 * as substrings they would hide `passenger`, `bypass` or `compass`.
 */
const SECRET_KEY_WHOLE_WORDS = new Set(['pwd', 'pass', 'pw', 'passphrase']);

/** What every word of SECRET_KEY_WHOLE_WORDS contains: most keys need no split into words. */
const MAY_BE_WHOLE_WORD = /pw|pass/;

export function isSecretKey(raw: string): boolean {
  const key = canonicalKey(raw);
  const normalized = key.toLowerCase().replace(/[-_.\s]/g, '');
  if (SECRET_KEY_WORDS.some((word) => normalized.includes(word))) return true;
  if (!MAY_BE_WHOLE_WORD.test(normalized)) return false;
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => SECRET_KEY_WHOLE_WORDS.has(word));
}

/** Full-width letters, invisible characters and percent-encoding are no way round the check. */
function canonicalKey(key: string): string {
  let text = key;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not valid percent-encoding: checked as written.
    }
  }
  return text.normalize('NFKC').replace(/[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '');
}
