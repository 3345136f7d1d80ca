import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  kubernetesClustersServiceRef,
  ProvisioningDefaults,
  tofuRunnerServiceRef,
  vaultServiceRef,
} from '@paved/plugin-provisioning-node';
import path from 'node:path';
import { createKubernetesApplyAction } from './actions/kubernetesApply';
import { createResolveEnvironmentsAction } from './actions/resolveEnvironments';
import { createTofuApplyAction } from './actions/tofuApply';
import { createVaultWriteAction } from './actions/vaultWrite';

/**
 * Module variables the platform decides rather than the template: services
 * reach their database on the server the databases are created on, unless
 * `paved.provisioning.moduleDefaults` says otherwise. OpenTofu's modules run
 * for the service, so they get the defaults of every cluster; what differs
 * per cluster (`clusterModuleDefaults`) is given to each environment's pods
 * by the deployments backend.
 */
export function moduleDefaults(config: Config) {
  return ProvisioningDefaults.fromConfig(config).forCluster();
}

/** Registers the provisioning actions with the scaffolder. */
export const scaffolderModuleProvisioning = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'provisioning',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        clusters: kubernetesClustersServiceRef,
        vault: vaultServiceRef,
        runner: tofuRunnerServiceRef,
      },
      async init({ scaffolderActions, config, clusters, vault, runner }) {
        scaffolderActions.addActions(
          createResolveEnvironmentsAction({
            environments: clusters.environments(),
          }),
          createTofuApplyAction({
            runner,
            clusters,
            moduleDefaults: moduleDefaults(config),
            modulesDirectory: path.resolve(
              config.getOptionalString('paved.provisioning.modulesDirectory') ??
                '../../templates/modules',
            ),
          }),
          createVaultWriteAction({ vault }),
          createKubernetesApplyAction({ clusters, vault }),
        );
      },
    });
  },
});
