import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  deployment,
  entity,
  environment,
  fakeDeploymentsApi,
  production,
  responseError,
} from '../testUtils/fakeApi';
import { DeploymentsCard } from './DeploymentsCard';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderCard(
  api: DeploymentsApi,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  // usePermission caches decisions by permission and resource
  shown = entity,
) {
  renderInTestApp(
    <TestApiProvider
      apis={[[deploymentsApiRef, api], mockApis.permission({ authorize })]}
    >
      <EntityProvider entity={shown}>
        <DeploymentsCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const healthyStaging = environment({
  url: 'http://orders-api.orders-api-staging.localhost:8900',
  health: {
    healthy: true,
    statusCode: 200,
    version: 'a1b2c3d',
    checkedAt: new Date().toISOString(),
  },
});

describe('DeploymentsCard', () => {
  it('shows progress while the environments load', async () => {
    renderCard(
      fakeDeploymentsApi({ listEnvironments: () => new Promise(() => {}) }),
    );
    expect(
      await screen.findByTestId('progress', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    renderCard(
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

  it('says "Not deployed yet" and how to start when nothing runs anywhere', async () => {
    renderCard(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => [
          environment({
            image: undefined,
            rolloutState: 'not-deployed',
            lastDeployment: undefined,
          }),
          production,
        ]),
      }),
    );
    expect(
      await screen.findByText('Not deployed yet', {}, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Deploy to staging with the Deploy button; production is reached by promotion.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'What runs where' }),
    ).not.toBeInTheDocument();
  });

  it('says so when no environment is configured', async () => {
    renderCard(
      fakeDeploymentsApi({ listEnvironments: jest.fn(async () => []) }),
    );
    expect(
      await screen.findByText(
        /No environments are configured/,
        {},
        FIRST_RENDER,
      ),
    ).toBeInTheDocument();
  });

  it('shows per environment the version, health, URL and who deployed last, when', async () => {
    renderCard(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => [healthyStaging, production]),
      }),
    );
    const staging = await screen.findByTestId(
      'summary-staging',
      {},
      FIRST_RENDER,
    );
    expect(within(staging).getByText('1.0.0')).toHaveAttribute(
      'title',
      'registry.paved.local/orders-api:1.0.0',
    );
    expect(within(staging).getByTestId('reported-version')).toHaveTextContent(
      'a1b2c3d',
    );
    expect(within(staging).getByText('Healthy')).toBeInTheDocument();
    expect(
      within(staging).getByRole('link', {
        name: /^http:\/\/orders-api\.orders-api-staging\.localhost:8900/,
      }),
    ).toHaveAttribute(
      'href',
      'http://orders-api.orders-api-staging.localhost:8900',
    );
    expect(
      within(staging).getByText('alice, 5 minutes ago'),
    ).toBeInTheDocument();
    expect(within(staging).getByText('succeeded')).toBeInTheDocument();

    const prod = screen.getByTestId('summary-production');
    expect(within(prod).getByText('Not deployed yet')).toBeInTheDocument();
    expect(within(prod).getByText('requires approval')).toBeInTheDocument();
  });

  it('shows a service that does not answer, and why the last deploy failed', async () => {
    renderCard(
      fakeDeploymentsApi({
        listEnvironments: jest.fn(async () => [
          environment({
            url: 'http://orders-api.orders-api-staging.localhost:8900',
            health: {
              healthy: false,
              checkedAt: new Date().toISOString(),
              error: 'did not answer: ECONNREFUSED',
            },
            rolloutState: 'failed',
            lastDeployment: deployment({
              status: 'failed',
              requestedBy: 'user:default/bob',
              failureReason: 'CrashLoop',
            }),
          }),
        ]),
      }),
    );
    const staging = await screen.findByTestId(
      'summary-staging',
      {},
      FIRST_RENDER,
    );
    expect(within(staging).getByText('Not answering')).toBeInTheDocument();
    expect(
      within(staging).getByText('did not answer: ECONNREFUSED'),
    ).toBeInTheDocument();
    expect(within(staging).getByText('Rollout failed')).toBeInTheDocument();
    expect(within(staging).getByText(/^bob, /)).toBeInTheDocument();
    expect(
      within(staging).getByText('Container keeps crashing'),
    ).toBeInTheDocument();
  });

  it('has the Deploy button and the way to the Environments tab', async () => {
    renderCard(fakeDeploymentsApi());
    expect(
      await screen.findByRole('button', { name: 'Deploy' }, FIRST_RENDER),
    ).toBeEnabled();
    expect(
      screen.getByRole('link', {
        name: 'Environments, history and audit trail',
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-api/environments',
    );
  });

  it('still shows what runs where to users who may not deploy', async () => {
    renderCard(fakeDeploymentsApi(), AuthorizeResult.DENY, {
      ...entity,
      metadata: { ...entity.metadata, name: 'not-mine' },
    });
    expect(
      await screen.findByTestId('summary-staging', {}, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Deploy' }),
    ).not.toBeInTheDocument();
  });
});
