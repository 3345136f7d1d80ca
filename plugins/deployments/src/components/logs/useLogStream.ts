import { LogLine } from '@paved/plugin-deployments-common';
import { useEffect, useRef, useState } from 'react';
import { DeploymentsApi } from '../../api';
import { LogBuffer, MAX_LOG_LINES } from './logBuffer';

/** How often the lines read so far reach the view: one render per flush, not per chunk. */
export const LOG_FLUSH_MS = 150;

/** What the Logs tab reads: `range` is `5m`…`24h` (since) or `tail:N` (last N lines). */
export interface LogSelection {
  environment: string;
  pod?: string;
  container?: string;
  range: string;
}

export interface LogStreamState {
  lines: LogLine[];
  /** Lines dropped from the front of the buffer. */
  dropped: number;
  status: 'reading' | 'following' | 'done' | 'stopped' | 'failed';
  error?: Error;
}

const initial: LogStreamState = { lines: [], dropped: 0, status: 'reading' };

/**
 * Reads the logs of `selection`, and keeps reading new lines while `follow`
 * is on. Turning follow off, changing the selection or unmounting aborts the
 * read; turning it off keeps the lines read. Lines reach state at most every
 * LOG_FLUSH_MS, and at most `maxLines` are kept.
 */
export function useLogStream(
  api: DeploymentsApi,
  entityRef: string,
  selection: LogSelection | undefined,
  follow: boolean,
  maxLines = MAX_LOG_LINES,
): LogStreamState {
  const [state, setState] = useState<LogStreamState>(initial);
  const key = selection ? JSON.stringify(selection) : undefined;
  const last = useRef<string>();

  useEffect(() => {
    const sameSelection = last.current === key;
    last.current = key;
    if (!selection) return undefined;
    if (!follow && sameSelection) {
      // Follow turned off: the previous run's cleanup aborted the stream.
      setState(s =>
        s.status === 'following' ? { ...s, status: 'stopped' } : s,
      );
      return undefined;
    }

    const stop = new AbortController();
    const buffer = new LogBuffer(maxLines);
    let pending: LogLine[] = [];
    const flush = () => {
      if (!pending.length) return;
      buffer.push(pending);
      pending = [];
      setState(s => ({
        ...s,
        lines: buffer.toArray(),
        dropped: buffer.dropped,
      }));
    };
    const timer = setInterval(flush, LOG_FLUSH_MS);
    setState({ ...initial, status: follow ? 'following' : 'reading' });

    const { range } = selection;
    api
      .readLogs(
        entityRef,
        selection.environment,
        {
          pod: selection.pod || undefined,
          container: selection.container || undefined,
          since: range.startsWith('tail:') ? undefined : range,
          tailLines: range.startsWith('tail:')
            ? Number(range.slice('tail:'.length))
            : undefined,
          follow,
          signal: stop.signal,
        },
        lines => {
          pending.push(...lines);
          // A flood between flushes keeps no more than the buffer would.
          if (pending.length > maxLines * 2) flush();
        },
      )
      .then(
        () => {
          if (stop.signal.aborted) return;
          flush();
          setState(s => ({ ...s, status: 'done' }));
        },
        (error: Error) => {
          if (stop.signal.aborted) return;
          flush();
          setState(s => ({ ...s, status: 'failed', error }));
        },
      )
      .finally(() => clearInterval(timer));

    return () => {
      stop.abort();
      clearInterval(timer);
      flush();
    };
    // `key` stands for `selection`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entityRef, key, follow, maxLines]);

  return state;
}
