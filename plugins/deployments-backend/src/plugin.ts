import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { deploymentPermissions } from '@paved/plugin-deployments-common';
import {
  DefaultKubernetesClient,
  readEnvironments,
  VaultClient,
} from '@paved/plugin-provisioning-node';
import { createRouter } from './router';
import { DefaultBuildService } from './services/BuildService';
import { KnexBuildStore } from './services/BuildStore';
import { DefaultDeploymentService } from './services/DeploymentService';
import { DeploymentStore } from './services/DeploymentStore';
import { HttpServiceHealthProbe } from './services/ServiceHealth';

/**
 * Deploys golden-path services and records their builds: `/api/deployments`.
 * Wiring only; the logic is in DefaultDeploymentService and DefaultBuildService.
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
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(deploymentPermissions);
        const store = await DeploymentStore.create(deps.database);
        const deployments = new DefaultDeploymentService({
          environments: readEnvironments(deps.config),
          store,
          catalog: deps.catalog,
          kubernetes: DefaultKubernetesClient.fromConfig(deps.config),
          vault: VaultClient.fromConfig(deps.config),
          permissions: deps.permissions,
          auth: deps.auth,
          userInfo: deps.userInfo,
          logger: deps.logger,
          auditor: deps.auditor,
          healthProbe: new HttpServiceHealthProbe(),
          rolloutTimeoutMs: deps.config.getOptionalNumber(
            'paved.deployments.rolloutTimeoutSeconds',
          )
            ? deps.config.getNumber('paved.deployments.rolloutTimeoutSeconds') *
              1000
            : undefined,
        });
        const builds = new DefaultBuildService({
          store: await KnexBuildStore.create(deps.database),
          catalog: deps.catalog,
        });
        deps.httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, deployments, builds }),
        );
        deps.lifecycle.addStartupHook(() => deployments.resumeRollouts());
        deps.lifecycle.addShutdownHook(() => deployments.stop());
      },
    });
  },
});
