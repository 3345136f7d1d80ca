import { createServiceFactory } from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { GitRemoteUrlReader } from './GitRemoteUrlReader';

/**
 * Adds the git remote's URL reader to the backend's UrlReaderService.
 * `backend.add(gitRemoteUrlReaderFactory)` in packages/backend.
 */
export const gitRemoteUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return GitRemoteUrlReader.factory;
  },
});
