/** Human output: colour only on a TTY (and never with NO_COLOR); `--json` prints one JSON document on stdout. */
export interface Output {
  json: boolean;
  /** A line for people (stdout); nothing with --json. */
  say(line?: string): void;
  /** Progress and hints (stderr), so stdout stays the result. */
  note(line: string): void;
  /** The --json result. */
  result(value: unknown): void;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

export function createOutput(options: {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const colour =
    !options.json &&
    Boolean(stdout.isTTY) &&
    !env.NO_COLOR &&
    env.TERM !== 'dumb';
  const paint = (code: number) => (text: string) =>
    colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  return {
    json: options.json,
    say: line => {
      if (!options.json) stdout.write(`${line ?? ''}\n`);
    },
    note: line => {
      stderr.write(`${line}\n`);
    },
    result: value => {
      if (options.json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    bold: paint(1),
    dim: paint(2),
    green: paint(32),
    red: paint(31),
    yellow: paint(33),
  };
}

/** Columns padded to their widest cell (colour codes not counted). */
export function table(rows: string[][]): string[] {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map(r => visible(r[i] ?? '')))) ??
    [];
  return rows.map(r =>
    r
      .map((cell, i) =>
        i === r.length - 1
          ? cell
          : cell + ' '.repeat(widths[i] - visible(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** "3m ago", "2h ago" for a time. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}
