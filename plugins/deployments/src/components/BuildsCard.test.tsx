import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BuildLogChunk } from '@paved/plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../api';
import {
  build,
  entity,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { BuildsCard } from './BuildsCard';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

function renderCard(api: DeploymentsApi) {
  renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <BuildsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const chunk = (
  text: string,
  offset: number,
  finished = false,
): BuildLogChunk => ({
  text,
  offset,
  nextOffset: offset + text.length,
  truncated: false,
  status: finished ? 'succeeded' : 'running',
  finished,
});

describe('BuildsCard', () => {
  it('shows progress while loading', async () => {
    renderCard(fakeDeploymentsApi({ listBuilds: () => new Promise(() => {}) }));
    expect(
      await screen.findByTestId('progress', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });

  it('says how to get a first build', async () => {
    const api = fakeDeploymentsApi();
    renderCard(api);
    expect(
      await screen.findByText(
        'No builds yet: push to main to build.',
        {},
        FIRST_RENDER,
      ),
    ).toBeInTheDocument();
    expect(api.listBuilds).toHaveBeenCalledWith(entityRef, { limit: 10 });
  });

  it("shows the backend's error", async () => {
    renderCard(
      fakeDeploymentsApi({
        listBuilds: jest.fn(async () => {
          throw await responseError(404, 'No entity in the catalog');
        }),
      }),
    );
    expect(
      await screen.findByText(/Could not load the builds/, {}, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(screen.getByText('No entity in the catalog')).toBeInTheDocument();
  });

  it('streams the log of a running build until it succeeds', async () => {
    const running = build({
      status: 'running',
      image: undefined,
      finishedAt: undefined,
      durationMs: undefined,
      startedAt: new Date(Date.now() - 5_000).toISOString(),
    });
    const chunks = [
      chunk('STEP 1/3: FROM node:22-bookworm-slim\n', 0),
      chunk('STEP 2/3: RUN yarn build\n', 37),
      chunk('Pushed registry.paved.local/orders-api\n', 62, true),
    ];
    let finished = false;
    const api = fakeDeploymentsApi({
      listBuilds: jest.fn(async () => ({
        items: [finished ? build() : running],
      })),
      getBuildLog: jest.fn(async (_id: string, offset: number) => {
        const next = chunks.find(c => c.offset === offset)!;
        if (next.finished) finished = true;
        return next;
      }),
    });
    renderCard(api);

    // The newest build runs, so its log is open and follows the build.
    const log = await screen.findByRole(
      'log',
      { name: 'Log of build 3f2c1e0' },
      FIRST_RENDER,
    );
    expect(screen.getByText('running')).toBeInTheDocument();
    expect(screen.getByText('Add the orders endpoint')).toBeInTheDocument();
    expect(screen.getByText('Alice <alice@example.com>')).toBeInTheDocument();
    expect(screen.getByText(/^running for \d+ s$/)).toBeInTheDocument();
    await waitFor(() => expect(log).toHaveTextContent(/STEP 1\/3/));
    expect(log).not.toHaveTextContent(/STEP 2\/3/);
    await waitFor(() => expect(log).toHaveTextContent(/STEP 2\/3/), {
      timeout: 3000,
    });
    await waitFor(() => expect(log).toHaveTextContent(/Pushed/), {
      timeout: 3000,
    });
    expect(log.textContent).toBe(chunks.map(c => c.text).join(''));
    expect(api.getBuildLog.mock.calls.map(c => c[1])).toEqual([0, 37, 62]);

    // Once the log says it finished, the list is read again.
    expect(await screen.findByText('succeeded')).toBeInTheDocument();
    expect(screen.getByText('42 s')).toBeInTheDocument();
    expect(
      screen.getByText(
        'registry.paved.local/orders-api:3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
      ),
    ).toBeInTheDocument();
    // No more reads of a finished log.
    await new Promise(resolve => setTimeout(resolve, 1500));
    expect(api.getBuildLog).toHaveBeenCalledTimes(3);
  });

  it("shows a failed build's message, and its log on demand", async () => {
    const api = fakeDeploymentsApi({
      listBuilds: jest.fn(async () => ({
        items: [
          build({
            id: 'b-2',
            status: 'failed',
            image: undefined,
            message: 'no Dockerfile at the repository root',
          }),
          build(),
        ],
      })),
      getBuildLog: jest.fn(async () => ({
        ...chunk('error: no Dockerfile\n', 0, true),
        status: 'failed' as const,
      })),
    });
    renderCard(api);
    expect(
      await screen.findByText(
        'no Dockerfile at the repository root',
        {},
        FIRST_RENDER,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('failed')).toBeInTheDocument();
    expect(screen.queryByRole('log')).not.toBeInTheDocument();

    const [failedRow] = screen.getAllByRole('button', {
      name: 'Show the log of 3f2c1e0',
    });
    await userEvent.click(failedRow);
    const log = await screen.findByRole('log');
    expect(log).toHaveTextContent('error: no Dockerfile');
    expect(api.getBuildLog).toHaveBeenCalledWith('b-2', 0);
    await userEvent.click(
      within(screen.getByRole('table')).getByRole('button', {
        name: 'Hide the log of 3f2c1e0',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('log')).not.toBeInTheDocument(),
    );
  });

  it('loads older builds by cursor', async () => {
    const api = fakeDeploymentsApi({
      listBuilds: jest.fn(async (_ref, options) =>
        options?.cursor
          ? { items: [build({ id: 'b-old', commitMessage: 'Initial commit' })] }
          : { items: [build()], nextCursor: '41' },
      ),
    });
    renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Older builds' }, FIRST_RENDER),
    );
    expect(await screen.findByText('Initial commit')).toBeInTheDocument();
    expect(api.listBuilds).toHaveBeenCalledWith(entityRef, {
      limit: 10,
      cursor: '41',
    });
    expect(
      screen.queryByRole('button', { name: 'Older builds' }),
    ).not.toBeInTheDocument();
  });
});
