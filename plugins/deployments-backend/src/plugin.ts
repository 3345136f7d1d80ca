import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { notificationService } from '@backstage/plugin-notifications-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  deploymentPermissions,
  insightsPermissions,
  readPlatformTeam,
  secretPermissions,
} from '@paved/plugin-deployments-common';
import {
  kubernetesClustersServiceRef,
  ProvisioningDefaults,
  vaultServiceRef,
} from '@paved/plugin-provisioning-node';
import { registerDeploymentActions } from './actions';
import {
  AlertsService,
  CatalogAlertEntityResolver,
  KnexAlertStore,
} from './services/Alerts';
import { createRouter } from './router';
import {
  HttpPrometheusClient,
  MetricsService,
} from './services/MetricsService';
import { DefaultBuildService } from './services/BuildService';
import { DefaultDatabaseConnectionService } from './services/DatabaseConnection';
import { KnexBuildStore } from './services/BuildStore';
import {
  CatalogMembershipSource,
  DefaultDeploymentAuditWriter,
  DefaultDeploymentService,
  KubernetesMonitoringPromoter,
  KubernetesRolloutWatcher,
  KubernetesWorkloadCopier,
  OwnerOrPlatformTeamApproverRule,
} from './services/DeploymentService';
import { KnexDeploymentStore } from './services/DeploymentStore';
import { DefaultLogsService } from './services/LogsService';
import {
  DefaultSecretsService,
  PostgresDatabaseLogins,
  VaultEnvironmentSecrets,
} from './services/SecretsService';
import { HttpServiceHealthProbe } from './services/ServiceHealth';
import {
  DefaultInsightsService,
  KnexInsightsStore,
  ScaffolderTemplateRuns,
} from './services/Insights';
import { BackstageDeploymentNotifier } from './services/Notifications';
import {
  DefaultFeedbackService,
  KnexFeedbackStore,
  ScaffolderTaskClient,
} from './services/Feedback';

/** Default of `paved.deployments.rolloutTimeoutSeconds`. */
const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 600;

/**
 * Deploys golden-path services and records their builds: `/api/deployments`.
 * Wiring only: config is read here, the logic is in DefaultDeploymentService
 * (and the parts it is given) and DefaultBuildService.
 */
export const deploymentsPlugin = createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        clusters: kubernetesClustersServiceRef,
        vault: vaultServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const { config, catalog, auth, logger, clusters, vault } = deps;
        deps.permissionsRegistry.addPermissions([
          ...deploymentPermissions,
          ...secretPermissions,
          ...insightsPermissions,
        ]);
        // Each environment on its own cluster; the service fails the start
        // when an environment's cluster is not configured.
        const environments = clusters.environments();
        // DORA and failure notices concern production: the environment named so, else the last
        // one (a backend with no environments, only builds, still starts).
        const productionEnvironment =
          config.getOptionalString('paved.insights.productionEnvironment') ??
          (
            environments.find(e => e.name === 'production') ??
            environments[environments.length - 1]
          )?.name ??
          'production';
        const platformTeam = readPlatformTeam(config);
        const notifier = new BackstageDeploymentNotifier({
          notifications: deps.notifications,
          logger,
          platformTeam,
          productionEnvironment,
        });
        const membership = new CatalogMembershipSource({
          catalog,
          auth,
          userInfo: deps.userInfo,
        });
        const store = await KnexDeploymentStore.create(deps.database);
        const audit = new DefaultDeploymentAuditWriter({
          store,
          auditor: deps.auditor,
        });
        // Database logins are rotated where the platform's PostgreSQL admin is configured.
        const postgresAdminUrl = config.getOptionalString(
          'paved.platform.postgres.url',
        );
        const logins = postgresAdminUrl
          ? new PostgresDatabaseLogins(postgresAdminUrl)
          : undefined;
        const environmentSecrets = new VaultEnvironmentSecrets(vault, {
          environments: environments.map(e => e.name),
          logins,
        });
        const deployments = new DefaultDeploymentService({
          environments,
          store,
          catalog,
          clusters,
          vault,
          secretWriter: environmentSecrets,
          permissions: deps.permissions,
          auth,
          logger,
          audit,
          watcher: new KubernetesRolloutWatcher({
            clusters,
            store,
            audit,
            environments,
            logger,
            notifier,
            afterSuccess: async deployment => {
              const role = deployment.secretChange?.retireLogin;
              if (!role || !logins) return undefined;
              try {
                await logins.disable(role);
              } catch (error) {
                // The pods already use the new login (Vault and PostgreSQL agree on it); only
                // the old one is left able to log in, until the next rotation retires it.
                return `but the old database login ${role} still logs in: ${
                  (error as Error).message
                } To retire it, rotate DATABASE_PASSWORD again once PostgreSQL is back.`;
              }
              return `the old database login ${role} can no longer log in`;
            },
            timeoutMs:
              (config.getOptionalNumber(
                'paved.deployments.rolloutTimeoutSeconds',
              ) || DEFAULT_ROLLOUT_TIMEOUT_SECONDS) * 1000,
          }),
          approverRule: new OwnerOrPlatformTeamApproverRule({
            membership,
            platformTeam,
          }),
          notifier,
          workloadCopier: new KubernetesWorkloadCopier(clusters),
          // Each cluster's pods reach the database at their node's address (paved.provisioning).
          databaseAddresses: ProvisioningDefaults.fromConfig(config),
          monitoringPromoter: new KubernetesMonitoringPromoter(clusters),
          healthProbe: new HttpServiceHealthProbe(),
        });
        const builds = new DefaultBuildService({
          store: await KnexBuildStore.create(deps.database),
          catalog,
        });
        const secrets = new DefaultSecretsService({
          environments,
          catalog,
          permissions: deps.permissions,
          auth,
          clusters,
          audit,
          secrets: environmentSecrets,
          deployments,
        });
        // Where callers reach the services' databases, when not where the pods do.
        const connectConfig = config.getOptionalConfig(
          'paved.deployments.databaseConnect',
        );
        const databases = new DefaultDatabaseConnectionService({
          environments,
          catalog,
          permissions: deps.permissions,
          audit,
          logins: environmentSecrets,
          address: connectConfig && {
            host: connectConfig.getOptionalString('host'),
            port: connectConfig.getOptionalNumber('port'),
          },
        });
        const metrics = new MetricsService({
          catalog,
          environments: environments.map(e => e.name),
          prometheus: new HttpPrometheusClient(
            config.getOptionalString('paved.platform.prometheus.url'),
          ),
        });
        const insights = new DefaultInsightsService({
          store: await KnexInsightsStore.create(deps.database),
          catalog,
          auth,
          permissions: deps.permissions,
          productionEnvironment,
          templateRuns: new ScaffolderTemplateRuns({
            discovery: deps.discovery,
            auth,
          }),
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            deployments,
            builds,
            secrets,
            databases,
            metrics,
            logs: new DefaultLogsService({ environments, catalog, clusters }),
            insights,
            feedback: new DefaultFeedbackService({
              store: await KnexFeedbackStore.create(deps.database),
              deployments: store,
              tasks: new ScaffolderTaskClient({
                discovery: deps.discovery,
                auth,
              }),
              membership,
              platformTeam,
              productionEnvironment,
              notifier,
            }),
            alerts: new AlertsService({
              store: await KnexAlertStore.create(deps.database),
              resolver: new CatalogAlertEntityResolver({
                catalog,
                auth,
                environments: environments.map(e => e.name),
              }),
              notifier,
              catalog,
              logger,
            }),
          }),
        );
        // The same operations for `backstage-cli actions` and the MCP actions backend.
        registerDeploymentActions(deps.actionsRegistry, {
          deployments,
          secrets,
        });
        deps.lifecycle.addStartupHook(() => deployments.resumeRollouts());
        deps.lifecycle.addShutdownHook(async () => {
          deployments.stop();
          await logins?.close();
        });
      },
    });
  },
});
