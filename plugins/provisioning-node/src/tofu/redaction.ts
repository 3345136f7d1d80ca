/** Names of environment variables whose values are credentials. */
export const SECRET_ENV_NAME =
  /TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|PRIVATE_KEY/i;

/** Values shorter than this are not worth hiding (and would garble every log line). */
const MIN_SECRET_LENGTH = 3;

/**
 * Replaces every known secret value in a text with `***`. A run starts with
 * the credentials from the settings and learns sensitive values (sensitive
 * outputs and variables) as tofu reveals them.
 */
export class Redactor {
  private secrets: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /** Hides `value`: a string, or every string and number inside an object or array. */
  add(value: unknown): void {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') {
      // tofu prints strings JSON-escaped in places.
      for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
        if (form.length >= MIN_SECRET_LENGTH && !this.secrets.includes(form)) {
          this.secrets.push(form);
        }
      }
      // Longest first, so a secret containing another is hidden whole.
      this.secrets.sort((a, b) => b.length - a.length);
      return;
    }
    if (typeof value === 'number' || typeof value === 'bigint') {
      this.add(String(value));
      return;
    }
    if (Array.isArray(value)) {
      value.forEach(item => this.add(item));
      return;
    }
    if (typeof value === 'object') {
      Object.values(value as Record<string, unknown>).forEach(item =>
        this.add(item),
      );
      if (Object.keys(value as object).length > 0) {
        this.add(JSON.stringify(value));
      }
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('***');
    }
    return result;
  }
}

/** The password inside a PostgreSQL connection string (URL or key=value form). */
export function connectionPassword(connection: string): string | undefined {
  try {
    const url = new URL(connection);
    if (url.password) return decodeURIComponent(url.password);
  } catch {
    // not a URL: key=value
  }
  const match = connection.match(
    /(?:^|\s)password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/,
  );
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}
