/**
 * Prints what bench/alerts.sh measured: per round, seconds from the client's first 503 to
 * Prometheus' pending alert (activeAt), to the firing notification in the portal (its
 * `created`), and from the errors' end to the resolution's notification (its `updated`),
 * beside the rule's `for` and evaluation interval.
 *
 *   node bench/alerts.ts round-1.json [round-2.json …]
 */
import { readFileSync } from 'node:fs';

const rows = process.argv.slice(2).map(file => {
  const t = JSON.parse(readFileSync(file, 'utf8'));
  // ISO strings, or epoch milliseconds (the notifications API's `updated`).
  const at = (key: string) => new Date(t[key]).getTime();
  const s = (from: string, to: string) =>
    Number.isNaN(at(from)) || Number.isNaN(at(to))
      ? '-'
      : ((at(to) - at(from)) / 1000).toFixed(1);
  return {
    service: t.service,
    for: t.alertFor,
    eval: t.evaluationInterval,
    'error → pending (s)': s('firstError', 'prometheusActiveAt'),
    'error → portal (s)': s('firstError', 'notified'),
    'errors end → resolved in portal (s)': s(
      'errorsStopped',
      'resolvedNotified',
    ),
    requests: t.requests,
  };
});
console.table(rows);
