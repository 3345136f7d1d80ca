import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SecretList } from '@paved/plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  deployment,
  entity,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { SecretsCard } from './SecretsCard';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderCard(
  api: DeploymentsApi,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  renderInTestApp(
    <TestApiProvider
      apis={[[deploymentsApiRef, api], mockApis.permission({ authorize })]}
    >
      <EntityProvider
        entity={
          // usePermission caches decisions by permission and resource: another entity for DENY
          authorize === AuthorizeResult.DENY
            ? {
                ...entity,
                metadata: { ...entity.metadata, name: 'denied-api' },
              }
            : entity
        }
      >
        <SecretsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const list: SecretList = {
  environment: 'staging',
  vaultPath: 'secret/services/orders-api/env/staging',
  version: 2,
  items: [
    {
      key: 'API_TOKEN',
      source: 'environment',
      vaultPath: 'secret/services/orders-api/env/staging',
      version: 2,
      updatedAt: new Date(Date.now() - 60_000).toISOString(),
      updatedBy: 'user:default/alice',
      generated: false,
    },
    {
      key: 'APP_SESSION_SECRET',
      source: 'service',
      vaultPath: 'secret/services/orders-api/app',
      version: 1,
      updatedAt: new Date(Date.now() - 3_600_000).toISOString(),
      generated: true,
    },
  ],
};

describe('SecretsCard', () => {
  it('shows progress while loading', async () => {
    renderCard(
      fakeDeploymentsApi({ listSecrets: () => new Promise(() => {}) }),
    );
    expect(
      await screen.findByTestId('progress', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });

  it('says when an environment has no secrets yet', async () => {
    const api = fakeDeploymentsApi();
    renderCard(api);
    expect(
      await screen.findByText('No secrets in staging yet.', {}, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(api.listSecrets).toHaveBeenCalledWith(entityRef, 'staging');
  });

  it("shows the backend's error", async () => {
    renderCard(
      fakeDeploymentsApi({
        listSecrets: jest.fn(async () => {
          throw await responseError(403, 'Not allowed: paved.secret.read');
        }),
      }),
    );
    expect(
      await screen.findByText(/Could not load the secrets/, {}, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Not allowed: paved.secret.read'),
    ).toBeInTheDocument();
  });

  it('lists names, sources, versions and who changed them; no buttons without permission', async () => {
    renderCard(
      fakeDeploymentsApi({ listSecrets: jest.fn(async () => list) }),
      AuthorizeResult.DENY,
    );
    const table = await screen.findByRole(
      'table',
      { name: 'Secrets in staging' },
      FIRST_RENDER,
    );
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('API_TOKEN');
    expect(rows[1]).toHaveTextContent('this environment');
    expect(rows[1]).toHaveTextContent('by user:default/alice');
    expect(rows[2]).toHaveTextContent('APP_SESSION_SECRET');
    expect(rows[2]).toHaveTextContent('the service');
    expect(screen.queryByRole('button', { name: 'Set a secret' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Unset' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Rotate' })).toBeNull();
  });

  it('sets a key after a dry run, follows the restart, and never shows the value', async () => {
    const api = fakeDeploymentsApi({
      listSecrets: jest.fn(async () => list),
      getDeployment: jest.fn(async id =>
        deployment({ id, status: 'succeeded' }),
      ),
    });
    renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Set a secret' }, FIRST_RENDER),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Set a secret in staging',
    });
    await userEvent.type(within(dialog).getByLabelText('Key'), '1BAD');
    expect(
      within(dialog).getByText(/Key is not a valid environment variable name/),
    ).toBeInTheDocument();
    await userEvent.clear(within(dialog).getByLabelText('Key'));
    await userEvent.type(within(dialog).getByLabelText('Key'), 'NEW_TOKEN');
    await userEvent.type(
      within(dialog).getByLabelText('Value'),
      'hunter2-value',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));

    const confirm = await screen.findByRole('dialog', {
      name: 'Set NEW_TOKEN in staging',
    });
    expect(
      await within(confirm).findByText(
        /Dry run: API_TOKEN added; restarts Deployment orders-api in orders-api-staging/,
      ),
    ).toBeInTheDocument();
    expect(api.changeSecrets).toHaveBeenLastCalledWith(entityRef, 'staging', {
      set: { NEW_TOKEN: 'hunter2-value' },
      dryRun: true,
    });
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Set and restart' }),
    );
    expect(
      await within(confirm).findByText(/Version 2 written/),
    ).toBeInTheDocument();
    expect(api.changeSecrets).toHaveBeenLastCalledWith(entityRef, 'staging', {
      set: { NEW_TOKEN: 'hunter2-value' },
      dryRun: false,
    });
    expect(api.getDeployment).toHaveBeenCalledWith('d-secrets');
    expect(document.body.textContent).not.toContain('hunter2-value');
  });

  it('unsets, rotates and rolls back through the same confirmation', async () => {
    const api = fakeDeploymentsApi({ listSecrets: jest.fn(async () => list) });
    renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Unset' }, FIRST_RENDER),
    );
    let dialog = await screen.findByRole('dialog', {
      name: 'Unset API_TOKEN in staging',
    });
    await within(dialog).findByText(/Dry run/);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    expect(api.changeSecrets).toHaveBeenCalledWith(entityRef, 'staging', {
      unset: ['API_TOKEN'],
      dryRun: true,
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    dialog = await screen.findByRole('dialog', {
      name: 'Rotate APP_SESSION_SECRET in staging',
    });
    await within(dialog).findByText(/Dry run/);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Rotate and restart' }),
    );
    await within(dialog).findByText(/Version 2 written/);
    expect(api.rotateSecrets).toHaveBeenLastCalledWith(entityRef, 'staging', {
      keys: ['APP_SESSION_SECRET'],
      dryRun: false,
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Roll back to version 1' }),
    );
    dialog = await screen.findByRole('dialog', {
      name: 'Roll back the secrets of staging',
    });
    await within(dialog).findByText(/Dry run/);
    expect(api.rollbackSecrets).toHaveBeenCalledWith(entityRef, 'staging', {
      dryRun: true,
    });
  });

  it('shows why a dry run was refused', async () => {
    renderCard(
      fakeDeploymentsApi({
        listSecrets: jest.fn(async () => list),
        rollbackSecrets: jest.fn(async () => {
          throw await responseError(
            404,
            'toVersion: secret/services/orders-api/env/staging has no version 1',
          );
        }),
      }),
    );
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Roll back to version 1' },
        FIRST_RENDER,
      ),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(/has no version 1/),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toBeEnabled();
  });
});
