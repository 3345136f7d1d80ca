import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { ServiceAlert } from '@paved/plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  entity,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { AlertsCard } from './AlertsCard';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderCard(api: DeploymentsApi) {
  renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <AlertsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const alert = (over: Partial<ServiceAlert> = {}): ServiceAlert => ({
  id: 'abc.1',
  entityRef,
  environment: 'staging',
  alertname: 'AvailabilityBudgetBurnFast',
  severity: 'page',
  status: 'firing',
  summary:
    'orders-api in orders-api-staging is burning its availability error budget 14.4x too fast',
  startsAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  updatedAt: new Date().toISOString(),
  labels: {},
  ...over,
});

describe('AlertsCard', () => {
  it('shows progress while loading', async () => {
    renderCard(fakeDeploymentsApi({ listAlerts: () => new Promise(() => {}) }));
    expect(
      await screen.findByTestId('progress', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });

  it('says when no alert fires', async () => {
    renderCard(fakeDeploymentsApi());
    expect(
      await screen.findByTestId('alerts-none', {}, FIRST_RENDER),
    ).toHaveTextContent('No alert is firing');
  });

  it('shows a firing alert as a banner with a link to the metrics, and resolved ones as lines', async () => {
    const api = fakeDeploymentsApi({
      listAlerts: jest.fn(async () => [
        alert(),
        alert({
          id: 'def.2',
          alertname: 'LatencyBudgetBurnSlow',
          status: 'resolved',
          resolvedAt: new Date().toISOString(),
        }),
      ]),
    });
    renderCard(api);
    const banner = await screen.findByTestId('alert-firing', {}, FIRST_RENDER);
    expect(banner).toHaveTextContent(
      'Firing: AvailabilityBudgetBurnFast in staging',
    );
    expect(banner).toHaveTextContent('burning its availability error budget');
    expect(screen.getByText('See the metrics')).toHaveAttribute(
      'href',
      expect.stringMatching(/metrics$/),
    );
    expect(screen.getByTestId('alert-resolved')).toHaveTextContent(
      'LatencyBudgetBurnSlow in staging',
    );
    expect(screen.queryByTestId('alerts-none')).toBeNull();
    expect(api.listAlerts).toHaveBeenCalledWith(entityRef);
  });

  it('shows the backend error', async () => {
    renderCard(
      fakeDeploymentsApi({
        listAlerts: async () => {
          throw await responseError(404, 'No entity in the catalog');
        },
      }),
    );
    expect(
      await screen.findByText(/No entity/, {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });
});
