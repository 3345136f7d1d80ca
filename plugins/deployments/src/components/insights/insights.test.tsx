import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DoraReport } from '@paved/plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import {
  deployment,
  entityRef,
  environment,
  fakeDeploymentsApi,
  responseError,
  SHA,
  staging,
} from '../../testUtils/fakeApi';
import { DeployRatePrompt } from './DeployRatePrompt';
import { InsightsPage } from './InsightsPage';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
const HOUR = 3600_000;

const dora: DoraReport = {
  window: 30,
  from: iso(30 * 24 * HOUR),
  to: iso(0),
  environment: 'production',
  groupBy: 'organisation',
  tierSource: 'Accelerate State of DevOps Report 2024',
  drillDownLimit: 100,
  definitions: {
    deploymentFrequency: 'Change deployments to production per day.',
    leadTime: 'Median time from commit to running in production.',
    changeFailureRate:
      'Share of change deployments that failed or were rolled back.',
    recoveryTime:
      'Median time from a failed deployment to the next healthy one.',
  },
  groups: [
    {
      key: 'organisation',
      figures: {
        deploymentFrequency: {
          count: 1,
          perDay: 1 / 30,
          deploymentIds: ['d-prod'],
        },
        leadTime: {
          medianSeconds: 7200,
          samples: [
            {
              deploymentId: 'd-prod',
              commitSha: SHA,
              commitTime: iso(3 * HOUR),
              seconds: 7200,
            },
          ],
        },
        changeFailureRate: {
          rate: 0,
          failed: 0,
          count: 1,
          failedDeploymentIds: [],
        },
        recoveryTime: {
          medianSeconds: null,
          samples: [],
          unrecoveredDeploymentIds: [],
        },
        tier: {
          overall: 'medium',
          deploymentFrequency: 'medium',
          leadTime: 'elite',
          changeFailureRate: 'elite',
          recoveryTime: null,
        },
      },
      trend: [
        {
          weekStart: iso(14 * 24 * HOUR),
          deployments: 0,
          leadTimeMedianSeconds: null,
          changeFailureRate: null,
          recoveryMedianSeconds: null,
        },
        {
          weekStart: iso(7 * 24 * HOUR),
          deployments: 1,
          leadTimeMedianSeconds: 7200,
          changeFailureRate: 0,
          recoveryMedianSeconds: null,
        },
      ],
    },
  ],
};

const prodDeployment = deployment({
  id: 'd-prod',
  environment: 'production',
  image: 'registry.paved.local/orders-api:1.1.0',
  requestedBy: 'user:default/guest',
  finishedAt: iso(HOUR),
});

async function renderWith(api: DeploymentsApi, node: JSX.Element) {
  await renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>{node}</TestApiProvider>,
  );
}

describe('the Insights page', () => {
  it('states each figure with its definition and tier, expands one into its deployments with the commit, and hides feedback from non-platform users', async () => {
    const api = fakeDeploymentsApi({
      getDoraInsights: jest.fn(async () => dora),
      getAdoptionInsights: jest.fn(async () => ({
        window: 30,
        from: dora.from,
        to: dora.to,
        groups: [
          {
            key: 'organisation',
            figures: {
              services: 4,
              goldenPath: 3,
              goldenPathShare: 0.75,
              withDatabase: 1,
              databaseShare: 0.25,
              deploys: { portal: 5, cli: 2, other: 1 },
              templateRuns: {
                createService: 6,
                provisionDatabase: 2,
                weekly: [],
              },
            },
          },
        ],
      })),
      listFeedback: jest.fn(async () => {
        throw await responseError(403, 'platform team only', 'NotAllowedError');
      }),
      getDeployment: jest.fn(async () => prodDeployment),
    });
    await renderWith(api, <InsightsPage />);

    const lead = await screen.findByRole(
      'region',
      { name: 'Change lead time' },
      FIRST_RENDER,
    );
    expect(within(lead).getByText('2.0 h')).toBeInTheDocument();
    expect(within(lead).getByText('Tier: elite')).toBeInTheDocument();
    expect(
      within(lead).getByText(dora.definitions.leadTime),
    ).toBeInTheDocument();
    expect(
      screen.getByText(dora.definitions.changeFailureRate),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Accelerate State of DevOps Report 2024/),
    ).toBeInTheDocument();
    expect(screen.getByText('3 of 4 services (75 %)')).toBeInTheDocument();
    expect(screen.getByText('6 / 2')).toBeInTheDocument(); // Create Service / Provision Database runs

    await userEvent.click(
      within(lead).getByRole('button', { name: /Show deployments/ }),
    );
    const list = await within(lead).findByRole('list', {
      name: 'Counted deployments',
    });
    expect(
      within(list).getByText(/registry\.paved\.local\/orders-api:1\.1\.0/),
    ).toBeInTheDocument();
    expect(
      within(list).getByText(new RegExp(`commit ${SHA.slice(0, 12)}`)),
    ).toBeInTheDocument();
    expect(api.getDeployment).toHaveBeenCalledWith('d-prod');

    expect(api.getDoraInsights).toHaveBeenCalledWith({
      window: 30,
      groupBy: 'organisation',
      entityRef: undefined,
    });
    expect(
      await screen.findByText(
        'Developer feedback is visible to the platform team only.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'Developer feedback' }),
    ).not.toBeInTheDocument();
  });
});

describe('the "How was this deploy?" prompt', () => {
  const environments = [
    staging,
    environment({ environment: 'production', lastDeployment: prodDeployment }),
  ];

  it("rates the user's production deploy once, with a comment, then stays closed; another user is not asked", async () => {
    const api = fakeDeploymentsApi({
      createFeedback: jest.fn(async request => ({
        id: 'f-1',
        ...request,
        user: 'user:default/guest',
        createdAt: iso(0),
      })),
    });
    await renderWith(
      api,
      <>
        <DeployRatePrompt
          entityRef={entityRef}
          environments={environments}
          currentUser="user:default/guest"
        />
        <DeployRatePrompt
          entityRef={entityRef}
          environments={environments}
          currentUser="user:default/hannah-kim"
        />
      </>,
    );
    const prompt = await screen.findByRole(
      'region',
      { name: /How was this deploy/ },
      FIRST_RENDER,
    );
    expect(
      screen.getAllByRole('region', { name: /How was this deploy/ }),
    ).toHaveLength(1);
    await userEvent.click(
      within(prompt).getByRole('button', { name: 'Rate 1 of 5' }),
    );
    await userEvent.type(
      within(prompt).getByLabelText('Comment (optional)'),
      'slow approval',
    );
    await userEvent.click(within(prompt).getByRole('button', { name: 'Send' }));
    expect(
      await screen.findByText('Thank you for your feedback.'),
    ).toBeInTheDocument();
    expect(api.createFeedback).toHaveBeenCalledTimes(1);
    expect(api.createFeedback).toHaveBeenCalledWith({
      rating: 1,
      category: 'production-deploy',
      comment: 'slow approval',
      context: expect.objectContaining({
        action: 'production-deploy',
        entityRef,
        deploymentId: 'd-prod',
      }),
    });
    expect(
      screen.queryByRole('region', { name: /How was this deploy/ }),
    ).not.toBeInTheDocument();
  });

  it('can be dismissed without rating, and is not asked again', async () => {
    const api = fakeDeploymentsApi();
    // Two views of the same deploy (e.g. two tabs): dismissing one is remembered for both.
    const prompt = () => (
      <DeployRatePrompt
        entityRef={entityRef}
        environments={environments}
        currentUser="user:default/guest"
      />
    );
    await renderWith(
      api,
      <>
        {prompt()}
        {prompt()}
      </>,
    );
    const [first] = await screen.findAllByRole(
      'region',
      { name: /How was this deploy/ },
      FIRST_RENDER,
    );
    expect(
      screen.getAllByRole('region', { name: /How was this deploy/ }),
    ).toHaveLength(2);
    const prompt1 = first;
    await userEvent.click(
      within(prompt1).getByRole('button', { name: 'Dismiss' }),
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('region', { name: /How was this deploy/ }),
      ).not.toBeInTheDocument(),
    );
    expect(api.createFeedback).not.toHaveBeenCalled();
  });
});
