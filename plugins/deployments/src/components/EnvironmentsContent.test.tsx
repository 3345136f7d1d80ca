import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  approval,
  deployment,
  entity,
  entityRef,
  environment,
  fakeDeploymentsApi,
  production,
  responseError,
} from '../testUtils/fakeApi';
import { EnvironmentsContent } from './EnvironmentsContent';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderContent(api: DeploymentsApi, user = 'user:default/bob') {
  renderInTestApp(
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        mockApis.identity({ userEntityRef: user }),
      ]}
    >
      <EntityProvider entity={entity}>
        <EnvironmentsContent />
      </EntityProvider>
    </TestApiProvider>,
    { apis: [mockApis.identity({ userEntityRef: user })] },
  );
}

describe('EnvironmentsContent', () => {
  it('shows progress while loading', async () => {
    renderContent(
      fakeDeploymentsApi({ listEnvironments: () => new Promise(() => {}) }),
    );
    expect(
      await screen.findByTestId('progress', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    renderContent(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => {
          throw await responseError(503, 'The Kubernetes API is unreachable');
        }),
      }),
    );
    expect(
      await screen.findByText(
        /Could not load the environments/,
        {},
        FIRST_RENDER,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('The Kubernetes API is unreachable'),
    ).toBeInTheDocument();
  });

  it("shows the service's URL, its live health and version, and why the last deploy failed", async () => {
    renderContent(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => [
          environment({
            url: 'http://orders-api.orders-api-staging.localhost:8900',
            health: {
              healthy: true,
              statusCode: 200,
              version: 'a1b2c3d',
              checkedAt: new Date().toISOString(),
            },
            lastDeployment: deployment({
              id: 'd-9',
              requestedBy: 'paved:automatic',
              rollbackOf: 'd-8',
              message:
                'Automatic rollback to registry.paved.local/orders-api:1.0.0',
            }),
          }),
          environment({
            environment: 'production',
            namespace: 'orders-api-production',
            url: 'http://orders-api.orders-api-production.localhost:8900',
            health: {
              healthy: false,
              checkedAt: new Date().toISOString(),
              error: 'did not answer: ECONNREFUSED',
            },
            lastDeployment: deployment({
              id: 'd-8',
              environment: 'production',
              status: 'failed',
              failureReason: 'CrashLoop',
              logTail: 'Error: DATABASE_URL is not set\n    at main',
            }),
          }),
        ]),
      }),
    );
    const stagingCard = await screen.findByTestId(
      'environment-staging',
      {},
      FIRST_RENDER,
    );
    expect(
      within(stagingCard).getByRole('link', {
        name: /^http:\/\/orders-api.orders-api-staging.localhost:8900/,
      }),
    ).toBeInTheDocument();
    expect(
      within(stagingCard).getByTestId('reported-version'),
    ).toHaveTextContent('a1b2c3d');
    expect(
      within(stagingCard).getByText('(automatic rollback)'),
    ).toBeInTheDocument();
    const productionCard = screen.getByTestId('environment-production');
    expect(
      within(productionCard).getByText('Not answering'),
    ).toBeInTheDocument();
    expect(
      within(productionCard).getByText('did not answer: ECONNREFUSED'),
    ).toBeInTheDocument();
    const failure = within(productionCard).getByTestId('failure-d-8');
    expect(
      within(failure).getByText('Container keeps crashing'),
    ).toBeInTheDocument();
    expect(
      within(failure).getByLabelText('Last log lines of the failing container'),
    ).toHaveTextContent('DATABASE_URL is not set');
  });

  it('shows a card per environment, and the empty states', async () => {
    renderContent(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => [
          environment({
            image: undefined,
            rolloutState: 'not-deployed',
            rolloutMessage: undefined,
            lastDeployment: undefined,
            replicas: { desired: 0, ready: 0, updated: 0, available: 0 },
          }),
          production,
        ]),
      }),
    );
    const stagingCard = await screen.findByRole(
      'region',
      { name: 'staging' },
      FIRST_RENDER,
    );
    expect(
      within(stagingCard).getByRole('heading', { name: 'staging' }),
    ).toBeInTheDocument();
    expect(
      within(stagingCard).getByText('Not deployed yet'),
    ).toBeInTheDocument();
    const productionCard = screen.getByRole('region', { name: 'production' });
    expect(
      within(productionCard).getByText('Requires approval'),
    ).toBeInTheDocument();
    expect(await screen.findByText('No deployments yet')).toBeInTheDocument();
  });

  it('shows what runs, with replicas, rollout and last deploy', async () => {
    renderContent(fakeDeploymentsApi());
    const card = await screen.findByRole(
      'region',
      { name: 'staging' },
      FIRST_RENDER,
    );
    expect(
      within(card).getByText('registry.paved.local/orders-api:1.0.0'),
    ).toBeInTheDocument();
    expect(
      within(card).getByText(/2 desired, 2 ready, 2 updated, 2 available/),
    ).toBeInTheDocument();
    expect(
      within(card).getByText('deployment "orders-api" successfully rolled out'),
    ).toBeInTheDocument();
    expect(within(card).getByText(/alice, 5 minutes ago/)).toBeInTheDocument();
  });

  it('promotes staging to production, which asks for approval', async () => {
    const api = fakeDeploymentsApi();
    renderContent(api);
    const card = await screen.findByRole(
      'region',
      { name: 'staging' },
      FIRST_RENDER,
    );
    await userEvent.click(
      await within(card).findByRole('button', {
        name: 'Promote to production',
      }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Promote to production',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );
    expect(api.promote).toHaveBeenCalledWith({
      entityRef,
      from: 'staging',
      to: 'production',
    });
    expect(
      await within(dialog).findByText(/Approval pending/),
    ).toBeInTheDocument();
  });

  it('hides Approve and Reject from the requester', async () => {
    renderContent(
      fakeDeploymentsApi({
        listApprovals: jest.fn(async () => [
          approval({ requestedBy: 'user:default/bob' }),
        ]),
      }),
      'user:default/bob',
    );
    const card = await screen.findByRole(
      'region',
      { name: 'production' },
      FIRST_RENDER,
    );
    expect(
      await within(card).findByText(/You asked for this promotion/),
    ).toBeInTheDocument();
    expect(
      within(card).getByRole('heading', { name: 'Approval pending' }),
    ).toBeInTheDocument();
    expect(
      within(card).queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
    expect(
      within(card).queryByRole('button', { name: 'Reject' }),
    ).not.toBeInTheDocument();
  });

  it('lets another user approve, and follows the deployment', async () => {
    const api = fakeDeploymentsApi({
      listApprovals: jest.fn(async () => [approval()]),
    });
    renderContent(api, 'user:default/carol');
    const card = await screen.findByRole(
      'region',
      { name: 'production' },
      FIRST_RENDER,
    );
    await userEvent.click(
      await within(card).findByRole('button', { name: 'Approve' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Approve promotion to production',
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve and deploy' }),
    );
    expect(api.approve).toHaveBeenCalledWith('a-1');
    expect(
      await within(dialog).findByTestId('rollout-progress'),
    ).toBeInTheDocument();
    expect(api.getDeployment).toHaveBeenCalledWith('d-prod');
  });

  it('rejects with the reason given in the dialog', async () => {
    const api = fakeDeploymentsApi({
      listApprovals: jest.fn(async () => [approval()]),
    });
    renderContent(api, 'user:default/carol');
    const card = await screen.findByRole(
      'region',
      { name: 'production' },
      FIRST_RENDER,
    );
    await userEvent.click(
      await within(card).findByRole('button', { name: 'Reject' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Reject promotion to production',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Reason (optional)' }),
      'wait for the migration',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reject promotion' }),
    );
    expect(api.reject).toHaveBeenCalledWith('a-1', {
      reason: 'wait for the migration',
    });
  });

  it('rolls back to an earlier successful deployment, not to the current one', async () => {
    const older = deployment({
      id: 'd-0',
      image: 'registry.paved.local/orders-api:0.9.0',
    });
    const api = fakeDeploymentsApi({
      listDeployments: jest.fn(async () => ({
        items: [
          deployment(),
          deployment({
            id: 'd-failed',
            image: 'registry.paved.local/orders-api:0.9.5',
            status: 'failed',
          }),
          older,
        ],
      })),
    });
    renderContent(api);
    await screen.findByRole('region', { name: 'staging' }, FIRST_RENDER);
    const rollback = await screen.findAllByRole('button', {
      name: /^Roll back to/,
    });
    expect(rollback.map(b => b.textContent)).toEqual([
      'Roll back to registry.paved.local/orders-api:0.9.0',
    ]);
    await userEvent.click(rollback[0]);
    const dialog = screen.getByRole('dialog', { name: 'Roll back staging' });
    expect(
      within(dialog).getByText(
        'Currently running: registry.paved.local/orders-api:1.0.0',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );
    expect(api.rollback).toHaveBeenCalledWith({
      entityRef,
      environment: 'staging',
      toDeploymentId: 'd-0',
    });
  });

  it('pages through the history with the cursor', async () => {
    const api = fakeDeploymentsApi({
      listDeployments: jest.fn(async (_ref, options) =>
        options?.cursor
          ? {
              items: [
                deployment({
                  id: 'd-old',
                  image: 'registry.paved.local/orders-api:0.1.0',
                }),
              ],
            }
          : { items: [deployment()], nextCursor: '42' },
      ),
    });
    renderContent(api);
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Older deployments' },
        FIRST_RENDER,
      ),
    );
    expect(
      await screen.findByText('registry.paved.local/orders-api:0.1.0'),
    ).toBeInTheDocument();
    expect(api.listDeployments).toHaveBeenLastCalledWith(entityRef, {
      limit: 10,
      cursor: '42',
    });
  });

  it('lists the audit trail', async () => {
    renderContent(
      fakeDeploymentsApi({
        listAuditEvents: jest.fn(async () => [
          {
            id: 'e-1',
            createdAt: new Date().toISOString(),
            actor: 'user:default/alice',
            action: 'deploy' as const,
            entityRef,
            environment: 'staging',
            image: 'registry.paved.local/orders-api:1.0.0',
            result: 'succeeded' as const,
            message: 'Deploy requested',
          },
        ]),
      }),
    );
    expect(
      await screen.findByText('Deploy requested', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });
});
