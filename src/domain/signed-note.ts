/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, the format of Go's checksum
 * database and of transparency-log checkpoints: a UTF-8 text ending in a newline, a blank line,
 * then one line per signature, `— <key name> <base64(key hash || signature)>`.
 *
 * Keys are written as the Go tools write them, so `go`'s note package and witnesses read ours:
 * a verifier key is `<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>`, a signer key
 * `PRIVATE+KEY+<name>+<key hash>+<base64(0x01 || 32-byte seed)>`. The key hash is the first 4
 * bytes of SHA-256(name || "\n" || 0x01 || public key).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '— ';
const MAX_SIGNATURES = 100;
// Text that UTF-8 cannot encode: half of a surrogate pair.
const LONE_SURROGATE = /\p{Surrogate}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;
// DER wrappers that turn a raw 32-byte Ed25519 seed or public key into a key node:crypto takes.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Why a key or a note was refused: malformed, unknown, or its signature does not verify. */
export class SignedNoteError extends Error {
  override name = 'SignedNoteError';
}

export interface NoteSigner {
  readonly name: string;
  readonly keyHash: number;
  /** The verifier key text that opens what this signer signs. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  /** The verifier key text, `<name>+<hash>+<key>`. */
  readonly key: string;
  readonly publicKey: Buffer;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSignature {
  name: string;
  keyHash: number;
  base64: string;
}

export interface OpenedNote {
  /** The signed text, ending in a newline. */
  text: string;
  /** Signatures by the verifiers given, each checked. */
  signatures: NoteSignature[];
  /** Signatures by keys not given (not checked). */
  unverified: NoteSignature[];
}

/** A new Ed25519 key pair for `name`, as signer and verifier key texts. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  assertKeyName(name);
  const seed = randomBytes(32);
  const publicKey = publicKeyOf(seedKey(seed));
  return {
    signerKey: `PRIVATE+KEY+${name}+${hex8(keyHash(name, publicKey))}+${withAlgorithm(seed)}`,
    verifierKey: verifierKeyText(name, publicKey),
  };
}

/** The signer of a `PRIVATE+KEY+…` text. */
export function parseSignerKey(text: string): NoteSigner {
  if (!text.startsWith('PRIVATE+KEY+')) {
    throw new SignedNoteError('malformed signer key: expected PRIVATE+KEY+<name>+<hash>+<key>');
  }
  const [name, hash, encoded] = keyParts(text.slice('PRIVATE+KEY+'.length));
  const key = decodeKey(name, hash, encoded, 'signer');
  const privateKey = seedKey(key);
  const publicKey = publicKeyOf(privateKey);
  if (keyHash(name, publicKey) !== Number.parseInt(hash, 16)) {
    throw new SignedNoteError('malformed signer key: its hash does not match its key');
  }
  return {
    name,
    keyHash: Number.parseInt(hash, 16),
    verifierKey: verifierKeyText(name, publicKey),
    sign: (message) => sign(null, message, privateKey),
  };
}

/** The verifier of a `<name>+<hash>+<key>` text. */
export function parseVerifierKey(text: string): NoteVerifier {
  const [name, hash, encoded] = keyParts(text);
  const publicKey = decodeKey(name, hash, encoded, 'verifier');
  if (keyHash(name, publicKey) !== Number.parseInt(hash, 16)) {
    throw new SignedNoteError('malformed verifier key: its hash does not match its key');
  }
  const keyObject = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
  return {
    name,
    keyHash: Number.parseInt(hash, 16),
    key: text,
    publicKey,
    verify: (message, signature) => signature.length === 64 && verify(null, message, keyObject, signature),
  };
}

/** The verifier key text of a signer key text. */
export function verifierKeyOf(signerKey: string): string {
  return parseSignerKey(signerKey).verifierKey;
}

/** `text` (which must end in a newline) signed by `signer`. */
export function signNote(text: string, signer: NoteSigner): string {
  assertNoteText(text);
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  const hash = Buffer.alloc(4);
  hash.writeUInt32BE(signer.keyHash);
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([hash, signature]).toString('base64')}\n`;
}

/**
 * Parses a signed note and checks the signatures of the known verifiers. Throws when the note is
 * malformed, when a known key's signature does not verify, or when no known key signed it.
 */
export function openNote(signed: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  assertNoteCharacters(signed);
  const split = signed.lastIndexOf('\n\n');
  if (split < 0) throw new SignedNoteError('malformed note: no blank line before the signatures');
  const text = signed.slice(0, split + 1);
  const block = signed.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new SignedNoteError('malformed note: no signature lines');
  const opened: OpenedNote = { text, signatures: [], unverified: [] };
  const seen = new Set<string>();
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new SignedNoteError('malformed note: too many signatures');
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX))
      throw new SignedNoteError('malformed note: a signature line must start with "— "');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const base64 = space < 0 ? '' : rest.slice(space + 1);
    const bytes = strictBase64(base64);
    if (!isKeyName(name) || !bytes || bytes.length < 5)
      throw new SignedNoteError('malformed note: a signature line is not valid');
    const signature: NoteSignature = { name, keyHash: bytes.readUInt32BE(0), base64 };
    const id = `${name}+${signature.keyHash}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const verifier = verifiers.find((known) => known.name === name && known.keyHash === signature.keyHash);
    if (!verifier) {
      opened.unverified.push(signature);
      continue;
    }
    if (!verifier.verify(Buffer.from(text, 'utf8'), bytes.subarray(4))) {
      throw new SignedNoteError(`the signature of ${name}+${hex8(signature.keyHash)} does not verify`);
    }
    opened.signatures.push(signature);
  }
  if (opened.signatures.length === 0) {
    throw new SignedNoteError('the note is not signed by a known key');
  }
  return opened;
}

/** `<name>+<hash>+<key>` in its parts; the base64 key may itself hold `+`. */
function keyParts(text: string): [name: string, hash: string, key: string] {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return ['', '', ''];
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

function decodeKey(name: string, hash: string, encoded: string, kind: string): Buffer {
  const bytes = strictBase64(encoded);
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || !bytes) {
    throw new SignedNoteError(`malformed ${kind} key`);
  }
  if (bytes[0] !== ED25519) throw new SignedNoteError(`${kind} key: unknown algorithm ${bytes[0]}`);
  if (bytes.length !== 33) throw new SignedNoteError(`malformed ${kind} key: an Ed25519 key is 32 bytes`);
  return bytes.subarray(1);
}

/** Decodes standard, padded base64, refusing anything that would not encode back the same. */
function strictBase64(text: string): Buffer | undefined {
  if (text === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function keyHash(name: string, publicKey: Buffer): number {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([ED25519]))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

function seedKey(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyOf(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function verifierKeyText(name: string, publicKey: Buffer): string {
  return `${name}+${hex8(keyHash(name, publicKey))}+${withAlgorithm(publicKey)}`;
}

const withAlgorithm = (key: Buffer) => Buffer.concat([Buffer.from([ED25519]), key]).toString('base64');

const hex8 = (hash: number) => hash.toString(16).padStart(8, '0');

/** A key name: not empty, no white space, no `+` (it separates the parts of a key). */
function isKeyName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name) && !LONE_SURROGATE.test(name);
}

function assertKeyName(name: string): void {
  if (!isKeyName(name))
    throw new SignedNoteError(`not a key name: ${JSON.stringify(name)} (no spaces, no "+")`);
}

function assertNoteText(text: string): void {
  assertNoteCharacters(text);
  if (!text.endsWith('\n')) throw new SignedNoteError('malformed note: the text must end in a newline');
}

/** Well-formed UTF-16 (so valid UTF-8) without control characters other than newline. */
function assertNoteCharacters(text: string): void {
  if (LONE_SURROGATE.test(text) || CONTROL_EXCEPT_NEWLINE.test(text)) {
    throw new SignedNoteError('malformed note: control characters or invalid text');
  }
}
