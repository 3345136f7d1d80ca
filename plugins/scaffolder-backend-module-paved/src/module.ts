import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { GitRemoteClient } from '@paved/plugin-git-remote-node';
import { createAssertEntityExistsAction } from './actions/assertEntityExists';
import { createAssertNameAvailableAction } from './actions/assertNameAvailable';
import { createAwaitEntityAction } from './actions/awaitEntity';
import { createPublishToGitRemoteAction } from './actions/publishToGitRemote';

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
      },
      async init({ scaffolderActions, config, catalog }) {
        const gitRemote = GitRemoteClient.fromConfig(config);
        scaffolderActions.addActions(
          createAssertNameAvailableAction({ catalog, gitRemote }),
          createAwaitEntityAction({ catalog }),
          createAssertEntityExistsAction({ catalog }),
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
