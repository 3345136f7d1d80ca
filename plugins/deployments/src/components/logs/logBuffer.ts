import { LogLine } from '@paved/plugin-deployments-common';

/** How many lines the Logs tab keeps; older ones are dropped as new ones come. */
export const MAX_LOG_LINES = 5_000;

/**
 * The last `capacity` log lines, in a ring: pushing is O(lines pushed) however
 * long the stream runs, and `dropped` counts what fell out of the front.
 */
export class LogBuffer {
  private readonly ring: LogLine[] = [];
  private start = 0;
  dropped = 0;

  constructor(readonly capacity = MAX_LOG_LINES) {}

  push(lines: LogLine[]): void {
    for (const line of lines) {
      if (this.ring.length < this.capacity) {
        this.ring.push(line);
      } else {
        this.ring[this.start] = line;
        this.start = (this.start + 1) % this.capacity;
        this.dropped += 1;
      }
    }
  }

  /** The lines kept, oldest first. */
  toArray(): LogLine[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}
