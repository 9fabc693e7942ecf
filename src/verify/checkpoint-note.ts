/**
 * A log's signed checkpoint, opened: its signature checked against a verifier key, its body
 * parsed (size, root, the `time` line this server adds).
 */
import { type Checkpoint, parseCheckpoint } from '../domain/checkpoint.js';
import { type NoteVerifier, openNote } from '../domain/signed-note.js';

export interface SeenCheckpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** ISO time from the note's `time` line; undefined when it has none. */
  signedAt: string | undefined;
  /** The signed note's whole text. */
  note: string;
}

/** The checkpoint of `note` once its signature by `verifier` verifies; throws otherwise. */
export function openCheckpoint(note: string, verifier: NoteVerifier): SeenCheckpoint {
  return seen(parseCheckpoint(openNote(note, [verifier]).text), note);
}

/**
 * The checkpoint of a note verified before (this profile's memory, a saved copy): parsed, its
 * signature not checked again (a rotated key no longer opens it). Throws when not a checkpoint.
 */
export function readVerifiedCheckpoint(note: string): SeenCheckpoint {
  const split = note.lastIndexOf('\n\n');
  return seen(parseCheckpoint(split < 0 ? note : note.slice(0, split + 1)), note);
}

function seen(checkpoint: Checkpoint, note: string): SeenCheckpoint {
  const time = checkpoint.extensions.find((line) => line.startsWith('time '))?.slice('time '.length);
  const signedAt = time !== undefined && !Number.isNaN(Date.parse(time)) ? time : undefined;
  return { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, signedAt, note };
}
