import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readPlatformTeam } from '@paved/plugin-deployments-common';
import { PavedPermissionPolicy } from './PavedPermissionPolicy';

/** Installs Paved's permission policy in the permission backend. */
export const permissionModulePavedPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'paved-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
        config: coreServices.rootConfig,
      },
      async init({ policy, userInfo, config }) {
        policy.setPolicy(
          new PavedPermissionPolicy(userInfo, readPlatformTeam(config)),
        );
      },
    });
  },
});
