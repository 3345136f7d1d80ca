import { LogLine, LogStreamError } from '@paved/plugin-deployments-common';

/**
 * Splits a text stream into NDJSON lines as it arrives: chunks may end in the
 * middle of a line (or of a UTF-8 character), so the tail waits for the next
 * chunk. `push` returns the complete lines parsed so far, `end` the last one.
 */
export class NdjsonLines<T> {
  private readonly decoder = new TextDecoder();
  private rest = '';

  push(chunk: Uint8Array | string): T[] {
    const text =
      typeof chunk === 'string'
        ? chunk
        : this.decoder.decode(chunk, { stream: true });
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    return parts.flatMap(parse<T>);
  }

  end(): T[] {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    return parse<T>(last);
  }
}

function parse<T>(raw: string): T[] {
  const line = raw.trim();
  return line ? [JSON.parse(line) as T] : [];
}

/** A line of ReadLogs' answer: a log line, or the error that ended it. */
export type LogStreamItem = LogLine | LogStreamError;

/**
 * The failure the backend reported in the last line of a logs answer that had
 * already started (`{"error": {name, message}}`); `name` is the backend's.
 */
export class LogStreamFailedError extends Error {
  constructor(readonly body: LogStreamError) {
    super(body.error.message);
    this.name = 'LogStreamFailedError';
  }
}

/**
 * Hands the log lines of one NDJSON chunk to `onLines` (one call a chunk, so
 * a view can batch), and throws `LogStreamFailedError` at an error line.
 */
export function deliver(
  items: LogStreamItem[],
  onLines: (lines: LogLine[]) => void,
): void {
  const lines: LogLine[] = [];
  for (const item of items) {
    if ('error' in item) {
      if (lines.length) onLines(lines);
      throw new LogStreamFailedError(item);
    }
    lines.push(item);
  }
  if (lines.length) onLines(lines);
}
