/** A secret's key/value data. Values stay strings: they end up in Kubernetes Secrets. */
export type SecretData = Record<string, string>;

/** One key/value secrets engine mount. */
export interface KvEngine {
  /** The secret at `path`, or undefined when there is none (or it was deleted). */
  read(
    path: string,
  ): Promise<{ data: SecretData; version?: number } | undefined>;
  /** Writes the secret; on KV v2 returns the new version. */
  write(path: string, data: SecretData): Promise<{ version?: number }>;
  /** Keys directly below `path` (sub-paths end with "/"); empty when there are none. */
  list(path: string): Promise<string[]>;
  /** Removes the secret; on KV v2 all its versions and metadata. */
  delete(path: string): Promise<void>;
}

export interface CreatedToken {
  token: string;
  accessor: string;
  policies: string[];
}
