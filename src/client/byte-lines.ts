/**
 * A byte stream split on "\n" into whole lines, kept as bytes: a newline is never part of a
 * UTF-8 sequence, so no character is cut, and a line is joined from its pieces once, when its
 * end arrives (never by growing one buffer a packet at a time).
 */
export class ByteLines {
  readonly #maxLineBytes: number;
  #pieces: Buffer[] = [];
  #pendingBytes = 0;

  /** A line longer than `maxLineBytes` (no newline in sight) is an error, not a memory leak. */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The lines `bytes` completes, in order, without their "\n" (nor a "\r" before it). */
  push(bytes: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      lines.push(this.#complete(bytes.subarray(start, newline)));
      start = newline + 1;
    }
    if (start < bytes.length) {
      this.#pendingBytes += bytes.length - start;
      if (this.#pendingBytes > this.#maxLineBytes) throw new LineTooLongError(this.#maxLineBytes);
      this.#pieces.push(start === 0 ? bytes : bytes.subarray(start));
    }
    return lines;
  }

  /** Bytes of a line begun but not ended: what a stream cut in mid-line leaves. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  #complete(tail: Buffer): Buffer {
    let line = tail;
    if (this.#pieces.length > 0) {
      this.#pieces.push(tail);
      line = Buffer.concat(this.#pieces, this.#pendingBytes + tail.length);
      this.#pieces = [];
      this.#pendingBytes = 0;
    }
    if (line.length > this.#maxLineBytes) throw new LineTooLongError(this.#maxLineBytes);
    return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
  }
}

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(maxLineBytes: number) {
    super(`a line is longer than ${maxLineBytes} bytes`);
  }
}
