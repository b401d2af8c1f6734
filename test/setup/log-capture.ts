import { Writable } from 'node:stream';

/** A log destination that keeps every line the server wrote. */
export class LogCapture extends Writable {
  private text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }

  /** The complete lines written so far. */
  lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }

  /** Waits (bounded) until `predicate` holds for the lines: access lines follow the response. */
  async waitFor(predicate: (lines: string[]) => boolean, timeoutMs = 5_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.lines())) {
      if (Date.now() > deadline)
        throw new Error(`log lines never matched; got:\n${this.lines().join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.lines();
  }
}
