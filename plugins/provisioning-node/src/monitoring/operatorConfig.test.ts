import {
  discoveredTargets,
  prometheusConfig,
  ruleFileFor,
  scrapeConfigsFor,
} from './operatorConfig';

const api = {
  url: 'https://127.0.0.1:16443',
  caFile: '/ca.crt',
  bearerTokenFile: '/token',
};
const monitor = {
  metadata: { name: 'orders-api', namespace: 'orders-api-staging' },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api' } },
    endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
  },
};

describe('what the Prometheus Operator makes of a ServiceMonitor', () => {
  it('writes an endpoints-role scrape config in its own namespace, keeping the selected Service and port', () => {
    const [config] = scrapeConfigsFor(monitor, api);
    expect(config).toMatchObject({
      job_name: 'serviceMonitor/orders-api-staging/orders-api/0',
      scrape_interval: '15s',
      metrics_path: '/metrics',
      kubernetes_sd_configs: [
        {
          role: 'endpoints',
          api_server: api.url,
          namespaces: { names: ['orders-api-staging'] },
        },
      ],
    });
    const relabel = config.relabel_configs as Array<Record<string, unknown>>;
    expect(relabel).toContainEqual({
      action: 'keep',
      source_labels: [
        '__meta_kubernetes_service_label_app_kubernetes_io_name',
        '__meta_kubernetes_service_labelpresent_app_kubernetes_io_name',
      ],
      regex: '(orders-api);true',
    });
    expect(relabel).toContainEqual({
      action: 'keep',
      source_labels: ['__meta_kubernetes_endpoint_port_name'],
      regex: 'http',
    });
    // job is the Service's name; namespace, pod and endpoint are target labels.
    expect(relabel).toContainEqual({
      source_labels: ['__meta_kubernetes_service_name'],
      target_label: 'job',
      replacement: '${1}',
    });
    expect(relabel.map(r => r.target_label)).toEqual(
      expect.arrayContaining([
        'namespace',
        'service',
        'pod',
        'container',
        'endpoint',
      ]),
    );
  });

  it('honours namespaceSelector, matchExpressions and a jobLabel', () => {
    const [config] = scrapeConfigsFor(
      {
        metadata: monitor.metadata,
        spec: {
          namespaceSelector: { any: true },
          selector: {
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['a', 'b'] },
            ],
          },
          jobLabel: 'app',
          endpoints: [{ targetPort: 8080 }],
        },
      },
      api,
    );
    expect((config.kubernetes_sd_configs as object[])[0]).not.toHaveProperty(
      'namespaces',
    );
    const relabel = config.relabel_configs as Array<Record<string, unknown>>;
    expect(relabel).toContainEqual(
      expect.objectContaining({ action: 'keep', regex: '(a|b);true' }),
    );
    expect(relabel).toContainEqual(
      expect.objectContaining({
        source_labels: ['__meta_kubernetes_pod_container_port_number'],
        regex: '8080',
      }),
    );
    expect(relabel).toContainEqual(
      expect.objectContaining({
        source_labels: ['__meta_kubernetes_service_label_app'],
        target_label: 'job',
      }),
    );
  });

  it('writes the whole prometheus.yml, sorted, and a rule file per PrometheusRule', () => {
    const other = {
      ...monitor,
      metadata: { name: 'a-api', namespace: 'a-api-staging' },
    };
    const config = prometheusConfig({
      monitors: [monitor, other],
      api,
      alertmanager: '127.0.0.1:9093',
      ruleFilesGlob: '/rules/*.yaml',
      selfTarget: '127.0.0.1:9090',
    });
    expect(
      (config.scrape_configs as Array<{ job_name: string }>).map(
        c => c.job_name,
      ),
    ).toEqual([
      'prometheus',
      'serviceMonitor/a-api-staging/a-api/0',
      'serviceMonitor/orders-api-staging/orders-api/0',
    ]);
    expect(config.rule_files).toEqual(['/rules/*.yaml']);
    expect(
      ruleFileFor({
        metadata: { name: 'orders-api-slo', namespace: 'ns' },
        spec: { groups: [{ name: 'g' }] },
      }),
    ).toEqual({
      name: 'ns-orders-api-slo.yaml',
      content: { groups: [{ name: 'g' }] },
    });
  });
});

describe("discovery for a Prometheus without Kubernetes discovery (Debian's)", () => {
  it("finds the selected Services' ready addresses on the named port, with the operator's target labels", () => {
    const services = [
      {
        metadata: {
          name: 'orders-api',
          namespace: 'orders-api-staging',
          labels: { 'app.kubernetes.io/name': 'orders-api' },
        },
      },
      {
        metadata: {
          name: 'other',
          namespace: 'orders-api-staging',
          labels: { 'app.kubernetes.io/name': 'other' },
        },
      },
      {
        metadata: {
          name: 'orders-api',
          namespace: 'elsewhere',
          labels: { 'app.kubernetes.io/name': 'orders-api' },
        },
      },
    ];
    const subsets = [
      {
        addresses: [
          {
            ip: '10.91.0.7',
            targetRef: { kind: 'Pod', name: 'orders-api-abc' },
          },
        ],
        ports: [
          { name: 'http', port: 8080 },
          { name: 'admin', port: 9000 },
        ],
      },
    ];
    const endpoints = services.map(s => ({ metadata: s.metadata, subsets }));
    expect(discoveredTargets(monitor, 0, services, endpoints)).toEqual([
      {
        targets: ['10.91.0.7:8080'],
        labels: {
          namespace: 'orders-api-staging',
          service: 'orders-api',
          endpoint: 'http',
          job: 'orders-api',
          pod: 'orders-api-abc',
        },
      },
    ]);
    const config = prometheusConfig({
      monitors: [monitor],
      api,
      alertmanager: 'am:9093',
      ruleFilesGlob: '/rules/*.yaml',
      targetsDir: '/targets',
    });
    expect((config.scrape_configs as object[])[0]).toEqual({
      job_name: 'serviceMonitor/orders-api-staging/orders-api/0',
      honor_labels: false,
      file_sd_configs: [
        {
          files: ['/targets/orders-api-staging_orders-api_0.json'],
          refresh_interval: '5s',
        },
      ],
      scrape_interval: '15s',
      metrics_path: '/metrics',
    });
  });
});
