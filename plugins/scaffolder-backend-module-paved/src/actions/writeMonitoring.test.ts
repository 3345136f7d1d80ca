import { mockActionContext } from '@paved/plugin-scaffolder-node/testUtils';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { readSloTiming } from './sloTiming';
import { createWriteMonitoringAction } from './writeMonitoring';

describe('paved:monitoring:write', () => {
  let workspacePath: string;
  beforeEach(async () => {
    workspacePath = await mkdtemp(path.join(os.tmpdir(), 'paved-monitoring-'));
  });
  afterEach(() => rm(workspacePath, { recursive: true, force: true }));

  it('writes a PrometheusRule and a dashboard per environment, scoped to its namespace', async () => {
    const ctx = mockActionContext({
      workspacePath,
      input: {
        name: 'orders-api',
        tier: 'critical' as const,
        namespaces: {
          staging: 'orders-api-staging',
          production: 'orders-api-production',
        },
      },
    });
    await createWriteMonitoringAction().handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('files', [
      'deploy/monitoring/staging/prometheusrule.yaml',
      'deploy/monitoring/staging/grafana-dashboard.yaml',
      'deploy/monitoring/production/prometheusrule.yaml',
      'deploy/monitoring/production/grafana-dashboard.yaml',
    ]);
    const rule = yaml.parse(
      await readFile(
        path.join(
          workspacePath,
          'deploy/monitoring/production/prometheusrule.yaml',
        ),
        'utf8',
      ),
    );
    expect(rule).toMatchObject({
      kind: 'PrometheusRule',
      metadata: { name: 'orders-api-slo' },
    });
    expect(JSON.stringify(rule)).toContain(
      'namespace=\\"orders-api-production\\"',
    );
    expect(JSON.stringify(rule)).toContain('> 0.0144');
  });

  it('names the field of a threshold that is not a histogram bound', async () => {
    const ctx = mockActionContext({
      workspacePath,
      input: {
        name: 'orders-api',
        tier: 'standard' as const,
        namespaces: { staging: 's' },
        latencyThresholdSeconds: 0.3,
      },
    });
    await expect(createWriteMonitoringAction().handler(ctx)).rejects.toThrow(
      /^latencyThresholdSeconds: /,
    );
  });

  it("keeps the workbook's `for` and Prometheus' interval unless paved.monitoring.slo says otherwise", async () => {
    const input = {
      name: 'orders-api',
      tier: 'experimental' as const,
      namespaces: { staging: 'orders-api-staging' },
    };
    const read = async () =>
      yaml.parse(
        await readFile(
          path.join(
            workspacePath,
            'deploy/monitoring/staging/prometheusrule.yaml',
          ),
          'utf8',
        ),
      ).spec.groups[0];
    const fast = (group: { rules: Array<{ alert?: string; for?: string }> }) =>
      group.rules.find(r => r.alert === 'AvailabilityBudgetBurnFast');

    await createWriteMonitoringAction({
      timing: readSloTiming(settings({})),
    }).handler(mockActionContext({ workspacePath, input }));
    const defaults = await read();
    expect(defaults.interval).toBeUndefined();
    expect(fast(defaults)?.for).toBe('2m');

    await createWriteMonitoringAction({
      timing: readSloTiming(
        settings({
          'paved.monitoring.slo.evaluationInterval': '2s',
          'paved.monitoring.slo.alertFor': '10s',
        }),
      ),
    }).handler(mockActionContext({ workspacePath, input }));
    const short = await read();
    expect(short.interval).toBe('2s');
    expect(fast(short)?.for).toBe('10s');
  });

  it('refuses a timing that is not a Prometheus duration, naming the key', () => {
    expect(() =>
      readSloTiming(
        settings({ 'paved.monitoring.slo.alertFor': '10 seconds' }),
      ),
    ).toThrow(
      /^paved\.monitoring\.slo\.alertFor must be a Prometheus duration/,
    );
  });
});

/** The one method readSloTiming reads config with, over flat keys. */
function settings(values: Record<string, string>) {
  return { getOptionalString: (key: string) => values[key] };
}
