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

/** One version of a KV v2 secret. */
export interface KvVersion {
  data: SecretData;
  version: number;
  /** ISO 8601, as Vault recorded it. */
  createdTime?: string;
}

/** A KV v2 secret's metadata: its versions and its custom metadata (never values). */
export interface KvMetadata {
  currentVersion: number;
  /** The oldest version Vault still keeps (max_versions drops older ones). */
  oldestVersion: number;
  /** Per version: when it was written, and whether it was deleted or destroyed. */
  versions: Record<
    number,
    { createdTime: string; deleted: boolean; destroyed: boolean }
  >;
  customMetadata: Record<string, string>;
}

/** A KV version 2 mount, with its versions and metadata. */
export interface Kv2Engine extends KvEngine {
  /** One version (the current one when none is given); undefined when it is missing, deleted or destroyed. */
  readVersion(path: string, version?: number): Promise<KvVersion | undefined>;
  /**
   * Writes a new version; with `cas`, only when the current version is that
   * one (0: only when there is none), else a ConflictError.
   */
  writeVersion(
    path: string,
    data: SecretData,
    options?: { cas?: number },
  ): Promise<{ version: number }>;
  /** The metadata; undefined when the secret never existed. */
  readMetadata(path: string): Promise<KvMetadata | undefined>;
  /** Replaces the secret's custom metadata (at most 64 keys, values up to 512 bytes). */
  writeCustomMetadata(
    path: string,
    customMetadata: Record<string, string>,
  ): Promise<void>;
}

export interface CreatedToken {
  token: string;
  accessor: string;
  policies: string[];
}
