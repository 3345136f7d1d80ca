import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
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
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new PavedPermissionPolicy(userInfo));
      },
    });
  },
});
