import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { LogLine, Pod } from '@paved/plugin-deployments-common';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  DeploymentsApi,
  deploymentsApiRef,
  LogStreamFailedError,
  ReadLogsOptions,
} from '../../api';
import {
  entity,
  fakeDeploymentsApi,
  responseError,
} from '../../testUtils/fakeApi';
import { LogsContent } from './LogsContent';

// The first render of the test app compiles and loads its lazy parts.
jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };

const pods: Pod[] = ['orders-api-7d9f-a', 'orders-api-7d9f-b'].map(name => ({
  name,
  phase: 'Running',
  ready: true,
  restarts: 0,
  containers: ['orders-api', 'istio-proxy'],
}));
const line = (text: string, pod = pods[0].name): LogLine => ({
  time: '2026-11-29T03:00:00.123456789Z',
  pod,
  container: 'orders-api',
  text,
});

/** readLogs as a stream the test drives: each call's options, and what to send it. */
function streams() {
  const calls: Array<{
    options: ReadLogsOptions;
    send: (lines: LogLine[]) => void;
    fail: (error: Error) => void;
    end: () => void;
  }> = [];
  const readLogs: DeploymentsApi['readLogs'] = (_ref, _env, options, onLines) =>
    new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => resolve());
      calls.push({ options, send: onLines, fail: reject, end: resolve });
    });
  /** The n-th call (from 1), once made. */
  const call = async (n: number) => {
    await waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(n), {
      timeout: 5_000,
    });
    return calls[n - 1];
  };
  return { calls, call, readLogs: jest.fn(readLogs) };
}

function renderLogs(api: DeploymentsApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <LogsContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('LogsContent', () => {
  it('lists the pods and shows the last lines of all of them, then of one', async () => {
    const { calls, call, readLogs } = streams();
    const listPods = jest.fn(async () => pods);
    renderLogs(fakeDeploymentsApi({ listPods, readLogs }));

    const pod = await screen.findByLabelText('Pod', {}, FIRST_RENDER);
    await call(1);
    expect(listPods).toHaveBeenCalledWith(
      'component:default/orders-api',
      'staging',
    );
    expect(
      [...(pod as HTMLSelectElement).options].map(o => o.textContent),
    ).toEqual(['All pods', ...pods.map(p => p.name)]);
    await call(1);
    await act(async () => {
      calls[0].send([
        line('GET /orders 200'),
        line('GET /b 404', pods[1].name),
      ]);
      calls[0].end();
    });
    expect(await screen.findByText('GET /orders 200')).toBeInTheDocument();
    expect(screen.getAllByText(pods[1].name).length).toBeGreaterThan(1);
    expect(calls[0].options).toMatchObject({ tailLines: 100, follow: false });

    await userEvent.selectOptions(pod, pods[1].name);
    await userEvent.selectOptions(
      screen.getByLabelText('Lines'),
      'Since 15 minutes ago',
    );
    const last = await call(3);
    expect(last.options).toMatchObject({ pod: pods[1].name, since: '15m' });
    await act(async () => last.end());
    expect(
      await screen.findByText('No log lines since 15 minutes ago.'),
    ).toBeInTheDocument();
  });

  it('follows a stream as chunks come, and stops following on toggle, keeping the lines', async () => {
    const { calls, call, readLogs } = streams();
    renderLogs(fakeDeploymentsApi({ listPods: async () => pods, readLogs }));
    const follow = await screen.findByRole(
      'checkbox',
      { name: 'Follow' },
      FIRST_RENDER,
    );
    const first = await call(1);
    await act(async () => first.end());
    await userEvent.click(follow);
    const stream = await call(2);
    expect(stream.options.follow).toBe(true);

    await act(async () => stream.send([line('first chunk')]));
    expect(await screen.findByText('first chunk')).toBeInTheDocument();
    await act(async () => stream.send([line('second chunk')]));
    expect(await screen.findByText('second chunk')).toBeInTheDocument();

    await userEvent.click(follow);
    expect(stream.options.signal?.aborted).toBe(true);
    expect(screen.getByText('first chunk')).toBeInTheDocument();
    expect(calls[calls.length - 1]).toBe(stream);
  });

  it("shows the stream's error line, and 403 as the user's lack of access", async () => {
    const { calls, call, readLogs } = streams();
    const { unmount } = renderLogs(
      fakeDeploymentsApi({ listPods: async () => pods, readLogs }),
    );
    await screen.findByLabelText('Pod', {}, FIRST_RENDER);
    await call(1);
    await act(async () => {
      calls[0].send([line('last words')]);
      calls[0].fail(
        new LogStreamFailedError({
          error: { name: 'ServiceUnavailableError', message: 'kubelet gone' },
        }),
      );
    });
    expect(await screen.findByText('kubelet gone')).toBeInTheDocument();
    expect(screen.getByText('last words')).toBeInTheDocument();
    unmount();

    renderLogs(
      fakeDeploymentsApi({
        listPods: jest.fn(async () => {
          throw await responseError(403, 'not allowed', 'NotAllowedError');
        }),
      }),
    );
    expect(
      await screen.findByText("You can't read this service's logs."),
    ).toBeInTheDocument();
  });

  it('keeps the last 5,000 lines and renders only the last 500 of them', async () => {
    const { calls, call, readLogs } = streams();
    renderLogs(fakeDeploymentsApi({ listPods: async () => pods, readLogs }));
    await screen.findByLabelText('Pod', {}, FIRST_RENDER);
    await call(1);
    await act(async () => {
      calls[0].send(Array.from({ length: 6_000 }, (_, i) => line(`line ${i}`)));
      calls[0].end();
    });
    expect(
      await screen.findByText(/Keeping the last 5,000 lines; 1,000 earlier/),
    ).toBeInTheDocument();
    expect(screen.getAllByTestId('log-line')).toHaveLength(500);
    expect(screen.getByText('line 5999')).toBeInTheDocument();
    expect(screen.queryByText('line 5499')).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: /earlier lines/ }),
    );
    expect(screen.getAllByTestId('log-line')).toHaveLength(1_000);
  });

  it('says when no pods run in the environment', async () => {
    renderLogs(fakeDeploymentsApi({ listPods: async () => [] }));
    expect(
      await screen.findByText('No pods running in staging.', {}, FIRST_RENDER),
    ).toBeInTheDocument();
  });
});
