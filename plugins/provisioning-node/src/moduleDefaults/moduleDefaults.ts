import { Config } from '@backstage/config';

/** Variables by module name, e.g. `{ 'postgres-database': { host, port } }`. */
export type ModuleDefaults = Record<string, Record<string, unknown>>;

/** Where the pods of a cluster reach the database server. */
export interface DatabaseAddress {
  host: string;
  port: number;
}

/**
 * The variables the platform decides rather than the template, per cluster,
 * read in this one place: `paved.provisioning.moduleDefaults` for every
 * cluster, overlaid (per module) by `paved.provisioning.clusterModuleDefaults.<cluster>`.
 * The postgres-database host and port, which is where a service's pods reach
 * its database, default to `paved.platform.postgres.url`'s; the local
 * platform sets them to each node's relay (docs/decisions/0018), which differs
 * per cluster because each node has a bridge of its own.
 */
export class ProvisioningDefaults {
  static fromConfig(config: Config): ProvisioningDefaults {
    const url = config.getOptionalString('paved.platform.postgres.url');
    const server = url ? new URL(url) : undefined;
    return new ProvisioningDefaults(
      config.getOptional<ModuleDefaults>('paved.provisioning.moduleDefaults') ??
        {},
      config.getOptional<Record<string, ModuleDefaults>>(
        'paved.provisioning.clusterModuleDefaults',
      ) ?? {},
      server
        ? { host: server.hostname, port: Number(server.port || 5432) }
        : undefined,
    );
  }

  constructor(
    private readonly all: ModuleDefaults,
    private readonly byCluster: Record<string, ModuleDefaults>,
    private readonly server?: DatabaseAddress,
  ) {}

  /** Every module's defaults on `cluster` (none given: the defaults of every cluster). */
  forCluster(cluster?: string): ModuleDefaults {
    const own = (cluster && this.byCluster[cluster]) || {};
    const modules = new Set([...Object.keys(this.all), ...Object.keys(own)]);
    const merged: ModuleDefaults = Object.fromEntries(
      [...modules].map(name => [name, { ...this.all[name], ...own[name] }]),
    );
    if (this.server) {
      merged['postgres-database'] = {
        ...this.server,
        ...merged['postgres-database'],
      };
    }
    return merged;
  }

  /** Where the pods on `cluster` reach the database server; undefined when nothing says. */
  databaseAddress(cluster?: string): DatabaseAddress | undefined {
    const { host, port } = this.forCluster(cluster)['postgres-database'] ?? {};
    if (typeof host !== 'string' || !host) return undefined;
    return { host, port: Number(port ?? 5432) };
  }
}
