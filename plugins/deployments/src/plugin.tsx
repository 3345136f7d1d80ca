import {
  ApiBlueprint,
  coreApis,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import SvgIcon from '@material-ui/core/SvgIcon';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { deploymentsApiRef, DeploymentsClient } from './api';
import { isGoldenPath } from './filters';

/** The deployments client, over discovery and the app's fetch. */
export const deploymentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentsApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
});

/** The "Environments" tab of golden-path components. */
export const environmentsEntityContent = EntityContentBlueprint.make({
  name: 'environments',
  params: {
    path: 'environments',
    title: 'Environments',
    filter: isGoldenPath,
    loader: () =>
      import('./components/EnvironmentsContent').then(m => (
        <m.EnvironmentsContent />
      )),
  },
});

/** The "Metrics" tab of golden-path components: golden signals per environment (Prometheus). */
export const metricsEntityContent = EntityContentBlueprint.make({
  name: 'metrics',
  params: {
    path: 'metrics',
    title: 'Metrics',
    filter: isGoldenPath,
    loader: () =>
      import('./components/MetricsContent').then(m => <m.MetricsContent />),
  },
});

/** The "Logs" tab of golden-path components: read or follow the service's container logs. */
export const logsEntityContent = EntityContentBlueprint.make({
  name: 'logs',
  params: {
    path: 'logs',
    title: 'Logs',
    filter: isGoldenPath,
    loader: () =>
      import('./components/logs/LogsContent').then(m => <m.LogsContent />),
  },
});

/**
 * The overview card "Deployments" on golden-path components: what runs where
 * (version, health, URL, last deploy per environment) and the Deploy button.
 * The app lists it first in `app.extensions` so it opens the Overview.
 */
export const deploymentsEntityCard = EntityCardBlueprint.make({
  name: 'deployments',
  params: {
    filter: isGoldenPath,
    loader: () =>
      import('./components/DeploymentsCard').then(m => <m.DeploymentsCard />),
  },
});

/** The overview card "Builds" (the log streams while a build runs), on golden-path components. */
export const buildsEntityCard = EntityCardBlueprint.make({
  name: 'builds',
  params: {
    filter: isGoldenPath,
    loader: () => import('./components/BuildsCard').then(m => <m.BuildsCard />),
  },
});

/** The overview card "Secrets" (names and versions per environment; set, unset, rotate, roll back), on golden-path components. */
export const secretsEntityCard = EntityCardBlueprint.make({
  name: 'secrets',
  params: {
    filter: isGoldenPath,
    loader: () =>
      import('./components/SecretsCard').then(m => <m.SecretsCard />),
  },
});

/** The Insights page's route; low-rating notifications link to its path, `/insights`. */
export const insightsRouteRef = createRouteRef();

/** The "Insights" page in the sidebar: DORA, adoption and (platform team) feedback. */
export const insightsPage = PageBlueprint.make({
  name: 'insights',
  params: {
    path: '/insights',
    title: 'Insights',
    routeRef: insightsRouteRef,
    icon: (
      <SvgIcon>
        <path d="M5 9.2h3V19H5zM10.6 5h2.8v14h-2.8zm5.6 8H19v6h-2.8z" />
      </SvgIcon>
    ),
    loader: () =>
      import('./components/insights/InsightsPage').then(m => (
        <m.InsightsPage />
      )),
  },
});

/** The overview card "Insights" (the service's DORA figures), on golden-path components. */
export const insightsEntityCard = EntityCardBlueprint.make({
  name: 'insights',
  params: {
    filter: isGoldenPath,
    loader: () =>
      import('./components/insights/InsightsCard').then(m => (
        <m.InsightsCard />
      )),
  },
});

/** The overview card "Alerts": firing SLO alerts as banners until they resolve, on golden-path components. */
export const alertsEntityCard = EntityCardBlueprint.make({
  name: 'alerts',
  params: {
    filter: isGoldenPath,
    loader: () => import('./components/AlertsCard').then(m => <m.AlertsCard />),
  },
});

/** Deploy, promote, approve and roll back golden-path services from the entity page. */
export const deploymentsPlugin = createFrontendPlugin({
  pluginId: 'deployments',
  title: 'Deployments',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    deploymentsApi,
    environmentsEntityContent,
    metricsEntityContent,
    logsEntityContent,
    deploymentsEntityCard,
    buildsEntityCard,
    secretsEntityCard,
    insightsEntityCard,
    insightsPage,
    alertsEntityCard,
  ],
});
