/** What a verification found wrong: each is evidence of tampering (exit 3 in the CLI). */
export type ProblemKind =
  | 'key-changed'
  | 'bad-signature'
  | 'wrong-origin'
  | 'rolled-back'
  | 'rewritten'
  | 'changed-event'
  | 'salt-deleted'
  | 'moved-event'
  | 'missing-event'
  | 'false-purge'
  | 'unsealed-event'
  | 'root-mismatch'
  | 'bad-answer';

export interface Problem {
  kind: ProblemKind;
  /** One line, for people; names the event (id and position) when there is one. */
  message: string;
  event_id?: string;
  position?: number;
  /** How many more problems of this kind were found after this one (a count, not a list). */
  more?: number;
}

/** Found evidence of tampering: the checks stop where going on would mean trusting the server. */
export class TamperEvidence extends Error {
  override readonly name = 'TamperEvidence';
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}
