import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CoreV1Api, KubernetesObject, Watch } from '@kubernetes/client-node';
import {
  createPlatformSandbox,
  unreachableKubeConfig,
  PlatformSandbox,
  pushFixtureImage,
} from '../testUtils';
import { DefaultKubernetesClient } from './KubernetesClient';
import { RolloutFailedError } from './errors';

// Against the local platform's real kube-apiserver and node (npm test brings them up).
// Rollouts that must complete use images pushed to the platform's registry (the
// fixture image, a real HTTP server); the others never need to run.
const labels = { 'app.kubernetes.io/name': 'web' };
const deployment = (
  image: string,
  replicas = 2,
  extra: { podSpec?: object; spec?: object; name?: string } = {},
): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: extra.name ?? 'web', labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image }], ...extra.podSpec },
      },
      ...extra.spec,
    },
  } as KubernetesObject);
/** Pods no node will take, so that the rollout never completes. */
const unschedulable = { podSpec: { nodeSelector: { 'paved.test/none': 'x' } } };
const secret = (password: string): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web-secrets' },
    stringData: { PASSWORD: password },
  } as KubernetesObject);

async function waitUntil(condition: () => boolean) {
  while (!condition()) await new Promise(r => setTimeout(r, 10));
}

describe('DefaultKubernetesClient', () => {
  let sandbox: PlatformSandbox;
  let client: DefaultKubernetesClient;
  let webImage: string;
  let stuckImage: string;
  beforeAll(async () => {
    sandbox = await createPlatformSandbox();
    client = new DefaultKubernetesClient(sandbox.kubeConfig);
    webImage = (await pushFixtureImage(`tests/${sandbox.id}/web`, '3')).image;
    stuckImage = (await pushFixtureImage(`tests/${sandbox.id}/stuck`, '2'))
      .image;
  });
  afterAll(() => sandbox?.cleanup());

  it('dry-runs on the server: reports what would be created and stores nothing', async () => {
    const [result] = await client.apply([deployment('registry.local/web:1')], {
      namespace: sandbox.namespace,
      dryRun: true,
    });
    expect(result).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      namespace: sandbox.namespace,
      outcome: 'created',
    });
    expect(result.diff).toContain(
      '+ spec.template.spec.containers[0].image: "registry.local/web:1"',
    );
    await expect(
      client.getRolloutStatus(sandbox.namespace, 'web'),
    ).resolves.toBeUndefined();
  });

  it('applies, reports re-applying the same objects as unchanged, and shows a changed field as a diff', async () => {
    const created = await client.apply(
      [deployment('registry.local/web:1'), secret('first')],
      { namespace: sandbox.namespace },
    );
    expect(created.map(o => o.outcome)).toEqual(['created', 'created']);

    const again = await client.apply(
      [deployment('registry.local/web:1'), secret('first')],
      { namespace: sandbox.namespace },
    );
    expect(again.map(o => o.outcome)).toEqual(['unchanged', 'unchanged']);

    const preview = await client.apply(
      [deployment('registry.local/web:2'), secret('second')],
      { namespace: sandbox.namespace, dryRun: true },
    );
    expect(preview.map(o => o.outcome)).toEqual(['configured', 'configured']);
    expect(preview[0].diff).toContain(
      '~ spec.template.spec.containers[0].image: "registry.local/web:1" → "registry.local/web:2"',
    );
    // A Secret's change is shown, its values are not.
    expect(preview[1].diff).toEqual(['~ data.PASSWORD: *** → ***']);
    expect(JSON.stringify(preview)).not.toMatch(
      /first|second|Zmlyc3Q|c2Vjb25k/,
    );
    const stored = await sandbox.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({
        name: 'web-secrets',
        namespace: sandbox.namespace,
      });
    expect(Buffer.from(stored.data!.PASSWORD, 'base64').toString()).toBe(
      'first',
    );
  });

  it('waits for a rollout, reporting progress, until every replica runs the new image', async () => {
    await client.apply([deployment(webImage)], {
      namespace: sandbox.namespace,
    });
    const progress: string[] = [];
    const status = await client.waitForRollout(sandbox.namespace, 'web', {
      timeoutMs: 90_000,
      onProgress: s => progress.push(s.message),
    });
    expect(status).toMatchObject({
      state: 'complete',
      image: webImage,
      replicas: { desired: 2, updated: 2, available: 2 },
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(status.message);
  }, 120_000);

  describe('waiting for a rollout that does not finish', () => {
    let watches: Promise<AbortController>[];
    beforeEach(async () => {
      const watch = Watch.prototype.watch;
      watches = [];
      jest
        .spyOn(Watch.prototype, 'watch')
        .mockImplementation(function spy(this: Watch, ...args) {
          const started = watch.apply(this, args);
          watches.push(started);
          return started;
        });
      await client.apply(
        [
          deployment('registry.local/stuck:1', 1, {
            ...unschedulable,
            name: 'stuck',
          }),
        ],
        {
          namespace: sandbox.namespace,
        },
      );
    });
    afterEach(() => jest.restoreAllMocks());
    const allClosed = async () =>
      (await Promise.all(watches)).every(c => c.signal.aborted);

    it('stops on abort with the abort reason, and closes the watch', async () => {
      const controller = new AbortController();
      const progress: string[] = [];
      const waiting = client.waitForRollout(sandbox.namespace, 'stuck', {
        signal: controller.signal,
        onProgress: s => progress.push(s.message),
      });
      await waitUntil(() => watches.length > 0);
      controller.abort(new Error('stopped by the test'));
      await expect(waiting).rejects.toThrow('stopped by the test');
      expect(progress.length).toBeGreaterThan(0);
      expect(await allClosed()).toBe(true);

      const aborted = new AbortController();
      aborted.abort(new Error('already aborted'));
      await expect(
        client.waitForRollout(sandbox.namespace, 'stuck', {
          signal: aborted.signal,
        }),
      ).rejects.toThrow('already aborted');
    });

    it('times out with the last status, and closes the watch', async () => {
      const begun = Date.now();
      await expect(
        client.waitForRollout(sandbox.namespace, 'stuck', { timeoutMs: 1000 }),
      ).rejects.toThrow(
        `Rollout of Deployment ${sandbox.namespace}/stuck did not finish within 1 s: 0 of 1 updated replicas are available`,
      );
      expect(Date.now() - begun).toBeLessThan(3000);
      expect(watches.length).toBeGreaterThan(0);
      expect(await allClosed()).toBe(true);
    });

    it('re-establishes a watch that ends, and still sees the rollout finish', async () => {
      const waiting = client.waitForRollout(sandbox.namespace, 'stuck', {
        timeoutMs: 60_000,
      });
      await waitUntil(() => watches.length > 0);
      (await watches[0]).abort(); // as if the apiserver had cut it off
      await waitUntil(() => watches.length > 1);
      await client.apply([deployment(stuckImage, 1, { name: 'stuck' })], {
        namespace: sandbox.namespace,
      });
      await expect(waiting).resolves.toMatchObject({
        state: 'complete',
        image: stuckImage,
      });
      expect(await allClosed()).toBe(true);
    }, 60_000);

    it('fails when the rollout exceeds its progress deadline', async () => {
      await client.apply(
        [
          deployment('registry.local/stuck:3', 1, {
            ...unschedulable,
            name: 'stuck',
            spec: { progressDeadlineSeconds: 1 },
          }),
        ],
        { namespace: sandbox.namespace },
      );
      await expect(
        client.waitForRollout(sandbox.namespace, 'stuck', {
          timeoutMs: 60_000,
        }),
      ).rejects.toThrow(
        `Rollout of Deployment ${sandbox.namespace}/stuck failed: Rollout exceeded its progress deadline`,
      );
      expect(await allClosed()).toBe(true);
    }, 60_000);
  });

  it('fails a rollout at once when its image does not exist, saying so', async () => {
    await client.apply(
      [
        deployment(
          `registry.paved.local/tests/${sandbox.id}/web:never-built`,
          1,
          {
            name: 'never-built',
          },
        ),
      ],
      { namespace: sandbox.namespace },
    );
    const begun = Date.now();
    const failure = await client
      .waitForRollout(sandbox.namespace, 'never-built', {
        timeoutMs: 90_000,
      })
      .catch(e => e);
    expect(failure).toBeInstanceOf(RolloutFailedError);
    expect(failure.name).toBe('RolloutFailedError');
    expect(failure.reason).toBe('ImagePull');
    expect(failure.message).toMatch(/ImagePullBackOff|ErrImagePull/);
    // The kubelet's answer, not the 10-minute progress deadline.
    expect(Date.now() - begun).toBeLessThan(60_000);
  }, 120_000);

  it("fails a crash-looping rollout with the container's last log lines", async () => {
    const { image } = await pushFixtureImage(
      `tests/${sandbox.id}/crasher`,
      '1',
      'crash',
    );
    // With a readiness probe, as the golden path has: without one a container
    // counts as available for the instant it runs, and the rollout "completes".
    const readinessProbe = {
      httpGet: { path: '/readyz', port: 8080 },
      periodSeconds: 1,
    };
    await client.apply(
      [
        deployment(image, 1, {
          name: 'crasher',
          podSpec: { containers: [{ name: 'web', image, readinessProbe }] },
        }),
      ],
      { namespace: sandbox.namespace },
    );
    const failure = await client
      .waitForRollout(sandbox.namespace, 'crasher', { timeoutMs: 120_000 })
      .catch(e => e);
    expect(failure.name).toBe('RolloutFailedError');
    expect(failure.reason).toBe('CrashLoop');
    expect(failure.message).toContain('Container web keeps crashing');
    expect(failure.diagnosis.logTail).toBeTruthy();
  }, 150_000);

  it('refuses a manifest the apiserver rejects, naming the field', async () => {
    const invalid = deployment('registry.local/web:1', -1);
    await expect(
      client.apply([invalid], { namespace: sandbox.namespace }),
    ).rejects.toThrow(InputError);
    await expect(
      client.apply([invalid], { namespace: sandbox.namespace }),
    ).rejects.toThrow(/spec\.replicas/);
    await expect(
      client.apply([
        { apiVersion: 'v1', kind: 'Nonsense', metadata: { name: 'x' } },
      ]),
    ).rejects.toThrow(/no kind Nonsense in v1/);
    await expect(client.apply([deployment('x:1')])).rejects.toThrow(
      /names no namespace/,
    );
  });

  it('deletes objects and skips ones already gone', async () => {
    await client.delete(
      [secret(''), secret('')].map(s => ({
        ...s,
        metadata: { ...s.metadata, namespace: sandbox.namespace },
      })),
    );
    await expect(
      sandbox.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({
        name: 'web-secrets',
        namespace: sandbox.namespace,
      }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      client.waitForRollout(sandbox.namespace, 'missing'),
    ).rejects.toThrow(NotFoundError);
  });

  it('says the apiserver is unreachable as a 503-class error', async () => {
    const kubeConfig = unreachableKubeConfig();
    const unreachable = new DefaultKubernetesClient(kubeConfig);
    await expect(
      unreachable.apply([deployment('x:1')], { namespace: 'default' }),
    ).rejects.toThrow(ServiceUnavailableError);
    await expect(
      unreachable.apply([deployment('x:1')], { namespace: 'default' }),
    ).rejects.toThrow(/https:\/\/127\.0\.0\.1:1 is unreachable/);
    await expect(unreachable.waitForRollout('default', 'web')).rejects.toThrow(
      ServiceUnavailableError,
    );
  });
});
