import { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { diagnosePods, tailOf } from './diagnosis';

const pod = (
  status: Partial<V1ContainerStatus>,
  extra: Partial<V1Pod['status']> = {},
): V1Pod => ({
  metadata: { name: 'web-abc' },
  status: {
    conditions: [{ type: 'PodScheduled', status: 'True' }],
    containerStatuses: [
      {
        name: 'web',
        image: 'registry.paved.local/web:1.0.0',
        imageID: '',
        ready: false,
        restartCount: 0,
        ...status,
      },
    ],
    ...extra,
  },
});

const event = (reason: string, message: string): CoreV1Event => ({
  metadata: {},
  involvedObject: { kind: 'Pod', name: 'web-abc' },
  reason,
  message,
  lastTimestamp: new Date('2026-11-28T10:00:00Z'),
});

describe('diagnosePods', () => {
  it('finds nothing wrong with pods that start or run', () => {
    expect(diagnosePods([], [])).toBeUndefined();
    expect(
      diagnosePods(
        [pod({ state: { waiting: { reason: 'ContainerCreating' } } })],
        [],
      ),
    ).toBeUndefined();
    expect(
      diagnosePods(
        [pod({ ready: true, state: { running: { startedAt: new Date() } } })],
        [],
      ),
    ).toBeUndefined();
  });

  it('reports a failed pull, final once the kubelet backs off', () => {
    const first = diagnosePods(
      [
        pod({
          state: {
            waiting: {
              reason: 'ErrImagePull',
              message:
                'rpc error: ... registry.paved.local/web:9.9.9: not found',
            },
          },
        }),
      ],
      [],
    );
    expect(first).toMatchObject({
      reason: 'ImagePull',
      container: 'web',
      final: false,
    });
    expect(first?.message).toContain('ErrImagePull: rpc error');
    expect(
      diagnosePods(
        [pod({ state: { waiting: { reason: 'ImagePullBackOff' } } })],
        [],
      ),
    ).toMatchObject({ reason: 'ImagePull', final: true });
  });

  it('judges a crash loop from restarts and the last termination, not from CrashLoopBackOff alone', () => {
    const terminated = {
      exitCode: 3,
      reason: 'Error',
      startedAt: new Date(),
      finishedAt: new Date(),
    };
    // One restart, no BackOff yet: it may still come up.
    expect(
      diagnosePods(
        [
          pod({
            restartCount: 1,
            lastState: { terminated },
            state: { running: { startedAt: new Date() } },
          }),
        ],
        [],
      ),
    ).toBeUndefined();
    // Two restarts: a crash loop, whatever the state shows right now.
    expect(
      diagnosePods(
        [
          pod({
            restartCount: 2,
            lastState: { terminated },
            state: { terminated },
          }),
        ],
        [],
      ),
    ).toMatchObject({
      reason: 'CrashLoop',
      final: true,
      message:
        'Container web keeps crashing: it exited with code 3 (Error), 2 restarts so far',
    });
    // One restart and the kubelet's BackOff event: a crash loop too.
    expect(
      diagnosePods(
        [pod({ restartCount: 1, lastState: { terminated } })],
        [
          event(
            'BackOff',
            'Back-off restarting failed container web in pod web-abc_ns(uid)',
          ),
        ],
      ),
    ).toMatchObject({
      reason: 'CrashLoop',
      message: expect.stringMatching(/1 restart so far/),
    });
  });

  it('names an OOM kill', () => {
    expect(
      diagnosePods(
        [
          pod({
            restartCount: 3,
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          }),
        ],
        [],
      )?.message,
    ).toContain('more memory than its limit (OOMKilled)');
  });

  it('reports a failing readiness probe as not final', () => {
    expect(
      diagnosePods(
        [pod({ state: { running: { startedAt: new Date() } } })],
        [
          event(
            'Unhealthy',
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
          ),
        ],
      ),
    ).toEqual({
      reason: 'ProbeFailure',
      pod: 'web-abc',
      container: 'web',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      final: false,
    });
  });

  it('reports a container that cannot be created, and an unschedulable pod', () => {
    expect(
      diagnosePods(
        [
          pod({
            state: {
              waiting: {
                reason: 'CreateContainerConfigError',
                message: 'secret "web-secrets" not found',
              },
            },
          }),
        ],
        [],
      ),
    ).toMatchObject({ reason: 'ContainerConfig', final: true });
    expect(
      diagnosePods(
        [
          pod(
            {},
            {
              conditions: [
                {
                  type: 'PodScheduled',
                  status: 'False',
                  reason: 'Unschedulable',
                  message: '0/1 nodes are available: 1 Insufficient memory.',
                },
              ],
            },
          ),
        ],
        [],
      ),
    ).toMatchObject({
      reason: 'Unschedulable',
      final: false,
      message: expect.stringContaining('Insufficient memory'),
    });
  });

  it('prefers a final problem over one that may clear, and skips pods being deleted', () => {
    const probing = pod({ state: { running: { startedAt: new Date() } } });
    const missing: V1Pod = {
      ...pod({ state: { waiting: { reason: 'ImagePullBackOff' } } }),
      metadata: { name: 'web-def' },
    };
    const leaving: V1Pod = {
      ...pod({ state: { waiting: { reason: 'InvalidImageName' } } }),
      metadata: { name: 'web-old', deletionTimestamp: new Date() },
    };
    expect(
      diagnosePods(
        [leaving, probing, missing],
        [event('Unhealthy', 'Readiness probe failed: connection refused')],
      ),
    ).toMatchObject({ reason: 'ImagePull', pod: 'web-def' });
  });
});

describe('tailOf', () => {
  it('keeps the last lines and characters', () => {
    const log = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    expect(tailOf(`${log}\n\n`, 3)).toBe('line 27\nline 28\nline 29');
    expect(tailOf('x'.repeat(50), 20, 10)).toBe('x'.repeat(10));
  });
});
