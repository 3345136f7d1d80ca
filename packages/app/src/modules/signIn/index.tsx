import { SignInPage } from '@backstage/core-components';
import {
  coreApis,
  createFrontendModule,
  githubAuthApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';
import { LocalSignInPage } from './LocalSignInPage';

const githubProvider = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your company GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * Offers the sign-in methods listed in `paved.signIn.providers`: locally the
 * guest and any catalog user (`localUser`), GitHub in production
 * (app-config.production.yaml).
 */
const PavedSignInPage = (props: SignInPageProps) => {
  const config = useApi(coreApis.config);
  const configured = config.getOptionalStringArray(
    'paved.signIn.providers',
  ) ?? ['guest'];
  if (!configured.includes('github')) {
    return (
      <LocalSignInPage
        {...props}
        offerCatalogUsers={configured.includes('localUser')}
      />
    );
  }
  const providers = configured.map(id =>
    id === 'github' ? githubProvider : ('guest' as const),
  );
  return <SignInPage {...props} providers={providers} />;
};

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => PavedSignInPage },
    }),
  ],
});
