import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import { createAssertEntityExistsAction } from './actions/assertEntityExists';
import { createAssertNameAvailableAction } from './actions/assertNameAvailable';
import { createAwaitBuildAction } from './actions/awaitBuild';
import { createAwaitEntityAction } from './actions/awaitEntity';
import { createDeployAction } from './actions/deploy';
import { createPublishToGitRemoteAction } from './actions/publishToGitRemote';
import { readSloTiming } from './actions/sloTiming';
import { createWriteMonitoringAction } from './actions/writeMonitoring';

/** Registers Paved's golden-path actions with the scaffolder. */
export const scaffolderModulePaved = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'paved',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolderActions, config, catalog, discovery, auth }) {
        const gitRemote = GitRemoteClient.fromConfig(config);
        scaffolderActions.addActions(
          createAssertNameAvailableAction({ catalog, gitRemote }),
          createAwaitEntityAction({ catalog }),
          createAssertEntityExistsAction({ catalog }),
          createAwaitBuildAction({ discovery, auth }),
          createDeployAction({ discovery, auth }),
          createWriteMonitoringAction({ timing: readSloTiming(config) }),
        );
        if (gitRemote) {
          scaffolderActions.addActions(
            createPublishToGitRemoteAction({
              client: gitRemote,
              defaultAuthor: {
                name: config.getOptionalString('scaffolder.defaultAuthor.name'),
                email: config.getOptionalString(
                  'scaffolder.defaultAuthor.email',
                ),
              },
            }),
          );
        }
      },
    });
  },
});
