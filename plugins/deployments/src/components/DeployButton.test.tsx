import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { deploymentsApiRef } from '../api';
import {
  deployment,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { DeployButton } from './DeployButton';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);

function renderButton(
  api = fakeDeploymentsApi(),
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  // usePermission caches decisions by permission and resource
  ref = entityRef,
) {
  renderInTestApp(
    <TestApiProvider
      apis={[[deploymentsApiRef, api], mockApis.permission({ authorize })]}
    >
      <DeployButton
        entityRef={ref}
        environmentsHref="/catalog/default/component/orders-api/environments"
      />
    </TestApiProvider>,
  );
  return api;
}

async function openDialog() {
  // the test app renders after its first lazy imports
  await userEvent.click(
    await screen.findByRole('button', { name: 'Deploy' }, { timeout: 15_000 }),
  );
  const dialog = await screen.findByRole('dialog', {
    name: 'Deploy orders-api',
  });
  await within(dialog).findByLabelText(/Image/);
  return dialog;
}

describe('DeployButton', () => {
  it('is not shown to users who may not deploy', async () => {
    const api = renderButton(
      undefined,
      AuthorizeResult.DENY,
      'component:default/not-mine',
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Deploy' }),
      ).not.toBeInTheDocument(),
    );
    expect(api.listEnvironments).not.toHaveBeenCalled();
  });

  it('offers only environments without approval, and says how production is reached', async () => {
    renderButton();
    const dialog = await openDialog();
    const select = within(dialog).getByRole('combobox', {
      name: 'Environment',
    });
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['staging']);
    expect(
      within(dialog).getByText(/production is reached by promotion/),
    ).toBeInTheDocument();
  });

  it('shows the validation message of a bad image under the field', async () => {
    renderButton();
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText(/Image/),
      'orders-api:1.0',
    );
    expect(within(dialog).getByText(/names no registry/)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Next' })).toBeDisabled();
  });

  it('confirms with what runs now, deploys, and follows the rollout to the end', async () => {
    const api = renderButton();
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText(/Image/),
      'registry.paved.local/orders-api:2.0.0',
    );
    await userEvent.type(within(dialog).getByLabelText(/Replicas/), '3');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));

    expect(
      within(dialog).getByText(
        'Deploy registry.paved.local/orders-api:2.0.0 to staging?',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        'Currently running: registry.paved.local/orders-api:1.0.0',
      ),
    ).toBeInTheDocument();
    expect(api.deploy).not.toHaveBeenCalled();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(api.deploy).toHaveBeenCalledWith({
      entityRef,
      environment: 'staging',
      image: 'registry.paved.local/orders-api:2.0.0',
      replicas: 3,
    });
    expect(
      await within(dialog).findByText(
        'Deployed registry.paved.local/orders-api:2.0.0 to staging.',
      ),
    ).toBeInTheDocument();
    expect(api.getDeployment).toHaveBeenCalledWith('d-new');
    expect(
      within(dialog).getByText(
        'Replicas: 2 of 2 ready, 2 updated, 2 available',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('link', { name: 'View environments' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-api/environments',
    );
  });

  it('shows progress while the rollout runs', async () => {
    const api = fakeDeploymentsApi({
      getDeployment: jest.fn(async () =>
        deployment({ id: 'd-new', status: 'rolling-out', message: undefined }),
      ),
    });
    renderButton(api);
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText(/Image/),
      'registry.paved.local/orders-api:2.0.0',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(
      await within(dialog).findByLabelText('Rollout progress'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText(/Rolling out/)).toBeInTheDocument();
  });

  it('shows a 409 from the backend readably and stays on the confirmation', async () => {
    const api = fakeDeploymentsApi({
      deploy: jest.fn(async () => {
        throw await responseError(
          409,
          'A deployment of component:default/orders-api to staging is already under way (d-0, since 2026-01-01T00:00:00Z); wait for it to finish',
          'DeploymentInProgressError',
        );
      }),
    });
    renderButton(api);
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText(/Image/),
      'registry.paved.local/orders-api:2.0.0',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(await within(dialog).findByText(/Already deploying/)).toBeVisible();
    expect(
      within(dialog).getByText(/is already under way/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    ).toBeEnabled();
  });

  it('explains a 503', async () => {
    const api = fakeDeploymentsApi({
      deploy: jest.fn(async () => {
        throw await responseError(
          503,
          'The Kubernetes API of cluster local is unreachable.',
        );
      }),
    });
    renderButton(api);
    const dialog = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText(/Image/),
      'registry.paved.local/orders-api:2.0.0',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(
      await within(dialog).findByText(/Kubernetes is unavailable/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/Nothing was deployed/),
    ).toBeInTheDocument();
  });
});
