import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MetricsReport } from '@paved/plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  entity,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { MetricsContent } from './MetricsContent';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderTab(api: DeploymentsApi) {
  renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <MetricsContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const now = Math.floor(Date.now() / 1000);
const report = (window: MetricsReport['window']): MetricsReport => ({
  window,
  stepSeconds: 60,
  items: [
    {
      environment: 'staging',
      namespace: 'orders-api-staging',
      traffic: 'some',
      objectivePercent: 99.5,
      latencyThresholdSeconds: 0.5,
      requestRate: 12.5,
      errorRatio: 0.0123,
      p99LatencySeconds: 0.042,
      errorBudgetRemaining: -1.46,
      series: {
        requestRate: [
          [now - 120, 10],
          [now - 60, 12.5],
        ],
        errorRatio: [[now - 60, 0.0123]],
        p99LatencySeconds: [],
      },
    },
    {
      environment: 'production',
      namespace: 'orders-api-production',
      traffic: 'none',
      objectivePercent: 99.5,
      latencyThresholdSeconds: 0.5,
      series: { requestRate: [], errorRatio: [], p99LatencySeconds: [] },
    },
  ],
});

describe('MetricsContent', () => {
  it('shows the golden signals per environment, "no traffic yet" where there is none, and asks again for another window', async () => {
    const api = fakeDeploymentsApi();
    (api.getMetrics as jest.Mock).mockImplementation(async (_ref, window) =>
      report(window),
    );
    renderTab(api);
    expect(
      await screen.findByText('12.5 req/s', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(screen.getByText('1.23 %')).toBeInTheDocument();
    expect(screen.getByText('42 ms')).toBeInTheDocument();
    expect(screen.getByText('-146.0 %')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Request rate over last hour' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('no-traffic-production')).toHaveTextContent(
      /^No traffic yet/,
    );
    expect(api.getMetrics).toHaveBeenLastCalledWith(entityRef, '1h');

    await userEvent.click(screen.getByText('Last hour'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 30 days' }),
    );
    expect(
      await screen.findByRole('img', {
        name: 'Request rate over last 30 days',
      }),
    ).toBeInTheDocument();
    expect(api.getMetrics).toHaveBeenLastCalledWith(entityRef, '30d');
  });

  it('says metrics are unavailable when Prometheus is down, without an error page', async () => {
    const api = fakeDeploymentsApi();
    (api.getMetrics as jest.Mock).mockRejectedValue(
      await responseError(
        503,
        'Metrics are not available: Prometheus at http://127.0.0.1:19090 does not answer',
        'ServiceUnavailableError',
      ),
    );
    renderTab(api);
    expect(
      await screen.findByTestId('metrics-unavailable', undefined, FIRST_RENDER),
    ).toHaveTextContent(
      /^Metrics are not available: Prometheus at http:\/\/127\.0\.0\.1:19090 does not answer\. The rest of the page works/,
    );
  });

  it('explains a component that is not on the golden path yet', async () => {
    const api = fakeDeploymentsApi();
    renderTab(api);
    expect(
      await screen.findByText(
        'No environment to show',
        undefined,
        FIRST_RENDER,
      ),
    ).toBeInTheDocument();
  });
});
