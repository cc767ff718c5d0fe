/**
 * The last lines of a command's output (stdout and stderr interleaved as they
 * arrive), bounded in lines and bytes, without holding the whole output.
 */
import { StringDecoder } from 'node:string_decoder';

export const TAIL_MAX_LINES = 64;
export const TAIL_MAX_BYTES = 8 * 1024;

export class OutputTail {
  #text = '';
  readonly #maxLines: number;
  readonly #maxBytes: number;

  constructor(maxLines = TAIL_MAX_LINES, maxBytes = TAIL_MAX_BYTES) {
    this.#maxLines = maxLines;
    this.#maxBytes = maxBytes;
  }

  /** A decoder per stream, so a character split across chunks stays whole. */
  decoder(): (chunk: Buffer) => void {
    const d = new StringDecoder('utf8');
    return (chunk) => this.push(d.write(chunk));
  }

  push(text: string): void {
    this.#text += text;
    // Keep a margin over the byte bound (a UTF-16 unit is at most 3 UTF-8 bytes); trimmed exactly in value().
    if (this.#text.length > 4 * this.#maxBytes) this.#text = this.#text.slice(-2 * this.#maxBytes);
  }

  /** At most maxLines lines and maxBytes bytes of UTF-8, the newest ones; a cut first line is dropped whole. */
  value(): string {
    let lines = this.#text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines = lines.slice(-this.#maxLines);
    let out = lines.join('\n');
    while (Buffer.byteLength(out, 'utf8') > this.#maxBytes) {
      const nl = out.indexOf('\n');
      // A single line longer than the bound keeps its end.
      if (nl < 0) {
        const b = Buffer.from(out, 'utf8');
        out = b.subarray(b.length - this.#maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
        break;
      }
      out = out.slice(nl + 1);
    }
    return out;
  }
}
