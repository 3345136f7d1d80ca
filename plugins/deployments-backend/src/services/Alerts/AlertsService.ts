import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AlertmanagerAlert,
  AlertmanagerWebhook,
  AlertsReceived,
  ServiceAlert,
} from '@paved/plugin-deployments-common';
import { Caller } from '../DeploymentService';
import { AlertStore } from './AlertStore';

/** Tells an entity's owners that one of its alerts fires or has resolved; never throws. */
export interface AlertNotifier {
  alertFiring(alert: ServiceAlert, entity: Entity): Promise<void>;
  alertResolved(alert: ServiceAlert, entity: Entity): Promise<void>;
}

/** The entity an alert's `service` and `namespace` labels belong to, and the environment. */
export interface AlertEntityResolver {
  resolve(
    service: string,
    namespace: string,
  ): Promise<{ entity: Entity; environment: string } | undefined>;
}

/** Finds the entity in the catalog by its annotations, with the plugin's own credentials. */
export class CatalogAlertEntityResolver implements AlertEntityResolver {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      environments: string[];
    },
  ) {}

  async resolve(service: string, namespace: string) {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { 'metadata.annotations.backstage.io/kubernetes-id': service },
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      const environment = this.options.environments.find(
        e => annotations[`paved.dev/kubernetes-namespace-${e}`] === namespace,
      );
      if (environment) return { entity, environment };
    }
    return undefined;
  }
}

/** How long resolved alerts stay listed. */
const RESOLVED_LISTED_MS = 7 * 24 * 3600 * 1000;
const LIST_LIMIT = 100;

/**
 * SLO alerts from Alertmanager to the owners (docs/decisions/0026). Each alert instance
 * (fingerprint + start) is a row; a notification goes out on a transition only (first firing,
 * resolution), so Alertmanager's repeats and retries tell nobody twice.
 */
export class AlertsService {
  constructor(
    private readonly options: {
      store: AlertStore;
      resolver: AlertEntityResolver;
      notifier: AlertNotifier;
      catalog: CatalogService;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  async receive(
    payload: AlertmanagerWebhook,
    caller: Caller,
  ): Promise<AlertsReceived> {
    const principal = caller.credentials.principal as { type?: string };
    if (principal.type !== 'service') {
      throw new NotAllowedError(
        'Only Alertmanager (a service token) may post alerts; give it a static token ' +
          '(backend.auth.externalAccess, type static; the local platform makes one)',
      );
    }
    const result: AlertsReceived = { recorded: 0, notified: 0, unmatched: [] };
    const owners = new Map<
      string,
      Promise<{ entity: Entity; environment: string } | undefined>
    >();
    for (const [i, alert] of payload.alerts.entries()) {
      const startsAt = Date.parse(alert.startsAt);
      if (Number.isNaN(startsAt)) {
        throw new InputError(
          `alerts.${i}.startsAt: not a date-time (${JSON.stringify(
            alert.startsAt,
          )}); Alertmanager sends RFC 3339`,
        );
      }
      const { service, namespace } = alert.labels;
      const key = `${namespace}/${service}`;
      if (!owners.has(key)) {
        owners.set(key, this.options.resolver.resolve(service, namespace));
      }
      const target = await owners.get(key)!;
      if (!target) {
        if (!result.unmatched.includes(key)) result.unmatched.push(key);
        continue;
      }
      const outcome = await this.record(alert, startsAt, target);
      if (outcome.changed) result.recorded += 1;
      if (outcome.notify) {
        const { entity } = target;
        if (outcome.notify === 'firing') {
          await this.options.notifier.alertFiring(outcome.alert, entity);
        } else {
          await this.options.notifier.alertResolved(outcome.alert, entity);
        }
        result.notified += 1;
      }
    }
    if (result.unmatched.length > 0) {
      this.options.logger.warn(
        `Alerts of no entity (no backstage.io/kubernetes-id and namespace annotation match): ${result.unmatched.join(
          ', ',
        )}`,
      );
    }
    return result;
  }

  private async record(
    alert: AlertmanagerAlert,
    startsAt: number,
    target: { entity: Entity; environment: string },
  ): Promise<{
    alert: ServiceAlert;
    changed: boolean;
    notify?: 'firing' | 'resolved';
  }> {
    const now = (this.options.now?.() ?? new Date()).toISOString();
    const id = `${alert.fingerprint}.${startsAt}`;
    const annotations = alert.annotations ?? {};
    const endsAt = alert.endsAt ? Date.parse(alert.endsAt) : NaN;
    const next: ServiceAlert = {
      id,
      entityRef: stringifyEntityRef(target.entity),
      environment: target.environment,
      alertname: alert.labels.alertname,
      severity: alert.labels.severity ?? 'none',
      status: alert.status,
      summary: annotations.summary ?? alert.labels.alertname,
      ...(annotations.description
        ? { description: annotations.description }
        : {}),
      labels: alert.labels as Record<string, string>,
      startsAt: new Date(startsAt).toISOString(),
      ...(alert.status === 'resolved'
        ? {
            resolvedAt: Number.isNaN(endsAt)
              ? now
              : new Date(endsAt).toISOString(),
          }
        : {}),
      updatedAt: now,
    };
    const previous = await this.options.store.get(id);
    if (!previous) {
      const inserted = await this.options.store.insert(next);
      if (!inserted) return { alert: next, changed: false };
      // A resolution of an alert never seen firing is recorded; nobody was told it fired.
      return {
        alert: next,
        changed: true,
        notify: next.status === 'firing' ? 'firing' : undefined,
      };
    }
    if (previous.status === next.status) {
      return { alert: previous, changed: false };
    }
    await this.options.store.update(next);
    return { alert: next, changed: true, notify: next.status };
  }

  /** The entity's firing alerts and those resolved in the last 7 days; 404 when the caller cannot read it. */
  async list(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<ServiceAlert[]> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    const now = this.options.now?.() ?? new Date();
    return this.options.store.listForEntity(stringifyEntityRef(entity), {
      resolvedSince: new Date(now.getTime() - RESOLVED_LISTED_MS).toISOString(),
      limit: LIST_LIMIT,
    });
  }
}
