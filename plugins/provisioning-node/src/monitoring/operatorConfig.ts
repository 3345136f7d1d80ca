/*
 * What the Prometheus Operator makes of ServiceMonitors and PrometheusRules, for the local
 * platform's Prometheus (scripts/platform/monitoring/reconciler.ts; docs/decisions/0019).
 * Pure and import-free: the reconciler runs this file directly with Node's type stripping, and
 * the fast tests check it. The scrape config follows the operator's own generator
 * (prometheus-operator v0.85.0, pkg/prometheus/promcfg.go, generateServiceMonitorConfig): job
 * `serviceMonitor/<ns>/<name>/<i>`, Kubernetes service discovery with the `endpoints` role in
 * the monitor's namespaces, a keep rule per selector label and for the endpoint's port, and the
 * namespace/service/pod/container/job/endpoint target labels. So the same objects mean the same
 * scrape targets on a company's kube-prometheus-stack.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

export interface ServiceMonitor {
  metadata: { name: string; namespace: string };
  spec: {
    selector?: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    jobLabel?: string;
    targetLabels?: string[];
    podTargetLabels?: string[];
    endpoints?: Array<{
      port?: string;
      targetPort?: string | number;
      path?: string;
      scheme?: string;
      interval?: string;
      scrapeTimeout?: string;
      honorLabels?: boolean;
      filterRunning?: boolean;
    }>;
  };
}

export interface PrometheusRule {
  metadata: { name: string; namespace: string };
  spec: { groups?: Array<Record<string, unknown>> };
}

/** Where Prometheus finds the Kubernetes API (the platform's own apiserver). */
export interface ApiServerAccess {
  url: string;
  caFile: string;
  bearerTokenFile: string;
}

type Relabel = Record<string, unknown>;

/** The operator's sanitizeLabelName: anything but [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

const escapeRegex = (value: string) =>
  value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function selectorRelabelings(selector: LabelSelector = {}): Relabel[] {
  const rules: Relabel[] = [];
  const label = (k: string) => [
    `__meta_kubernetes_service_label_${sanitizeLabelName(k)}`,
    `__meta_kubernetes_service_labelpresent_${sanitizeLabelName(k)}`,
  ];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) {
    rules.push({
      action: 'keep',
      source_labels: label(key),
      regex: `(${escapeRegex(selector.matchLabels![key])});true`,
    });
  }
  for (const exp of selector.matchExpressions ?? []) {
    const present = [
      `__meta_kubernetes_service_labelpresent_${sanitizeLabelName(exp.key)}`,
    ];
    const values = `(${(exp.values ?? []).map(escapeRegex).join('|')});true`;
    if (exp.operator === 'In') {
      rules.push({
        action: 'keep',
        source_labels: label(exp.key),
        regex: values,
      });
    } else if (exp.operator === 'NotIn') {
      rules.push({
        action: 'drop',
        source_labels: label(exp.key),
        regex: values,
      });
    } else if (exp.operator === 'Exists') {
      rules.push({ action: 'keep', source_labels: present, regex: 'true' });
    } else if (exp.operator === 'DoesNotExist') {
      rules.push({ action: 'drop', source_labels: present, regex: 'true' });
    }
  }
  return rules;
}

/** The scrape configs of one ServiceMonitor, one per endpoint, as the operator writes them. */
export function scrapeConfigsFor(
  monitor: ServiceMonitor,
  api: ApiServerAccess,
): Array<Record<string, unknown>> {
  const { namespace, name } = monitor.metadata;
  const spec = monitor.spec;
  const namespaces = spec.namespaceSelector?.any
    ? undefined
    : spec.namespaceSelector?.matchNames ?? [namespace];
  return (spec.endpoints ?? []).map((ep, i) => {
    const relabel: Relabel[] = [
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      ...selectorRelabelings(spec.selector),
    ];
    if (ep.port) {
      relabel.push({
        action: 'keep',
        source_labels: ['__meta_kubernetes_endpoint_port_name'],
        regex: ep.port,
      });
    } else if (ep.targetPort !== undefined) {
      relabel.push(
        typeof ep.targetPort === 'number'
          ? {
              action: 'keep',
              source_labels: ['__meta_kubernetes_pod_container_port_number'],
              regex: String(ep.targetPort),
            }
          : {
              action: 'keep',
              source_labels: ['__meta_kubernetes_pod_container_port_name'],
              regex: ep.targetPort,
            },
      );
    }
    const target = [
      '__meta_kubernetes_endpoint_address_target_kind',
      '__meta_kubernetes_endpoint_address_target_name',
    ];
    relabel.push(
      {
        source_labels: target,
        separator: ';',
        regex: 'Node;(.*)',
        replacement: '${1}',
        target_label: 'node',
      },
      {
        source_labels: target,
        separator: ';',
        regex: 'Pod;(.*)',
        replacement: '${1}',
        target_label: 'pod',
      },
      {
        source_labels: ['__meta_kubernetes_namespace'],
        target_label: 'namespace',
      },
      {
        source_labels: ['__meta_kubernetes_service_name'],
        target_label: 'service',
      },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      {
        source_labels: ['__meta_kubernetes_pod_container_name'],
        target_label: 'container',
      },
    );
    if (ep.filterRunning !== false) {
      relabel.push({
        action: 'drop',
        source_labels: ['__meta_kubernetes_pod_phase'],
        regex: '(Failed|Succeeded)',
      });
    }
    for (const l of spec.targetLabels ?? []) {
      relabel.push({
        source_labels: [
          `__meta_kubernetes_service_label_${sanitizeLabelName(l)}`,
        ],
        target_label: sanitizeLabelName(l),
        regex: '(.+)',
        replacement: '${1}',
      });
    }
    for (const l of spec.podTargetLabels ?? []) {
      relabel.push({
        source_labels: [`__meta_kubernetes_pod_label_${sanitizeLabelName(l)}`],
        target_label: sanitizeLabelName(l),
        regex: '(.+)',
        replacement: '${1}',
      });
    }
    relabel.push({
      source_labels: ['__meta_kubernetes_service_name'],
      target_label: 'job',
      replacement: '${1}',
    });
    if (spec.jobLabel) {
      relabel.push({
        source_labels: [
          `__meta_kubernetes_service_label_${sanitizeLabelName(spec.jobLabel)}`,
        ],
        target_label: 'job',
        regex: '(.+)',
        replacement: '${1}',
      });
    }
    relabel.push({
      target_label: 'endpoint',
      replacement: ep.port ?? String(ep.targetPort ?? ''),
    });
    const config: Record<string, unknown> = {
      job_name: `serviceMonitor/${namespace}/${name}/${i}`,
      honor_labels: ep.honorLabels ?? false,
      kubernetes_sd_configs: [
        {
          role: 'endpoints',
          api_server: api.url,
          tls_config: { ca_file: api.caFile },
          authorization: { credentials_file: api.bearerTokenFile },
          ...(namespaces ? { namespaces: { names: namespaces } } : {}),
        },
      ],
    };
    if (ep.interval) config.scrape_interval = ep.interval;
    if (ep.scrapeTimeout) config.scrape_timeout = ep.scrapeTimeout;
    config.metrics_path = ep.path ?? '/metrics';
    if (ep.scheme) config.scheme = ep.scheme;
    config.relabel_configs = relabel;
    return config;
  });
}

/**
 * The whole prometheus.yml: global settings, the Alertmanager, the rule files' glob and one
 * scrape config per ServiceMonitor endpoint (sorted, so the same objects give the same file).
 * JSON is YAML, so the caller writes this with JSON.stringify.
 */
export function prometheusConfig(options: {
  monitors: ServiceMonitor[];
  api: ApiServerAccess;
  /**
   * Where the reconciler writes each endpoint's targets (file_sd) when Prometheus lacks
   * Kubernetes discovery (Debian's build); without it, kubernetes_sd_configs as the operator.
   */
  targetsDir?: string;
  alertmanager: string;
  ruleFilesGlob: string;
  scrapeInterval?: string;
  selfTarget?: string;
}): Record<string, unknown> {
  const monitors = [...options.monitors].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
      `${b.metadata.namespace}/${b.metadata.name}`,
    ),
  );
  return {
    global: {
      scrape_interval: options.scrapeInterval ?? '15s',
      evaluation_interval: options.scrapeInterval ?? '15s',
    },
    alerting: {
      alertmanagers: [
        { static_configs: [{ targets: [options.alertmanager] }] },
      ],
    },
    rule_files: [options.ruleFilesGlob],
    scrape_configs: [
      ...(options.selfTarget
        ? [
            {
              job_name: 'prometheus',
              static_configs: [{ targets: [options.selfTarget] }],
            },
          ]
        : []),
      ...monitors.flatMap(m =>
        options.targetsDir
          ? (m.spec.endpoints ?? []).map((_, i) =>
              fileScrapeConfigFor(
                m,
                i,
                `${options.targetsDir}/${targetsFileName(m, i)}`,
              ),
            )
          : scrapeConfigsFor(m, options.api),
      ),
    ],
  };
}

/** A PrometheusRule's rule file, as the operator mounts it: `<namespace>-<name>.yaml`. */
export function ruleFileFor(rule: PrometheusRule): {
  name: string;
  content: Record<string, unknown>;
} {
  return {
    name: `${rule.metadata.namespace}-${rule.metadata.name}.yaml`,
    content: { groups: rule.spec.groups ?? [] },
  };
}

// ---------------------------------------------------------------------------------------------
// Discovery done here. Debian's Prometheus (the local platform's) is built without Kubernetes
// service discovery, so the reconciler performs the `endpoints` role itself: it selects the
// Services and their Endpoints as the keep rules above would, and writes the targets, with the
// labels the relabelings above would leave (namespace, service, pod, endpoint, job, target
// labels), into a file_sd file per job. Prometheus reads those files (no reload needed).

export interface ServiceObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
  };
}

export interface EndpointsObject {
  metadata: { name: string; namespace: string };
  subsets?: Array<{
    addresses?: Array<{
      ip: string;
      targetRef?: { kind?: string; name?: string };
    }>;
    ports?: Array<{ name?: string; port: number }>;
  }>;
}

export function selectorMatches(
  selector: LabelSelector = {},
  labels: Record<string, string> = {},
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const exp of selector.matchExpressions ?? []) {
    const present = exp.key in labels;
    const inValues = present && (exp.values ?? []).includes(labels[exp.key]);
    if (exp.operator === 'In' && !inValues) return false;
    if (exp.operator === 'NotIn' && inValues) return false;
    if (exp.operator === 'Exists' && !present) return false;
    if (exp.operator === 'DoesNotExist' && present) return false;
  }
  return true;
}

/** The file_sd groups of one ServiceMonitor endpoint: what kubernetes_sd + relabeling yield. */
export function discoveredTargets(
  monitor: ServiceMonitor,
  endpointIndex: number,
  services: ServiceObject[],
  endpoints: EndpointsObject[],
): Array<{ targets: string[]; labels: Record<string, string> }> {
  const spec = monitor.spec;
  const ep = (spec.endpoints ?? [])[endpointIndex];
  const namespaces = spec.namespaceSelector?.any
    ? undefined
    : spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
  const groups: Array<{ targets: string[]; labels: Record<string, string> }> =
    [];
  for (const service of services) {
    const { name, namespace, labels = {} } = service.metadata;
    if (namespaces && !namespaces.includes(namespace)) continue;
    if (!selectorMatches(spec.selector, labels)) continue;
    const found = endpoints.find(
      e => e.metadata.name === name && e.metadata.namespace === namespace,
    );
    for (const subset of found?.subsets ?? []) {
      for (const port of subset.ports ?? []) {
        const wanted = ep.port
          ? port.name === ep.port
          : ep.targetPort !== undefined &&
            String(port.port) === String(ep.targetPort);
        if (!wanted) continue;
        for (const address of subset.addresses ?? []) {
          const target: Record<string, string> = {
            namespace,
            service: name,
            endpoint: ep.port ?? String(ep.targetPort ?? ''),
            job: (spec.jobLabel && labels[spec.jobLabel]) || name,
          };
          if (address.targetRef?.kind === 'Pod' && address.targetRef.name)
            target.pod = address.targetRef.name;
          for (const l of spec.targetLabels ?? []) {
            if (labels[l]) target[sanitizeLabelName(l)] = labels[l];
          }
          groups.push({
            targets: [`${address.ip}:${port.port}`],
            labels: target,
          });
        }
      }
    }
  }
  return groups;
}

/** The scrape config of a ServiceMonitor endpoint over a file_sd file (see discoveredTargets). */
export function fileScrapeConfigFor(
  monitor: ServiceMonitor,
  endpointIndex: number,
  targetsFile: string,
): Record<string, unknown> {
  const ep = (monitor.spec.endpoints ?? [])[endpointIndex];
  const config: Record<string, unknown> = {
    job_name: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/${endpointIndex}`,
    honor_labels: ep.honorLabels ?? false,
    file_sd_configs: [{ files: [targetsFile], refresh_interval: '5s' }],
  };
  if (ep.interval) config.scrape_interval = ep.interval;
  if (ep.scrapeTimeout) config.scrape_timeout = ep.scrapeTimeout;
  config.metrics_path = ep.path ?? '/metrics';
  if (ep.scheme) config.scheme = ep.scheme;
  return config;
}

/** The file name of a ServiceMonitor endpoint's targets. */
export function targetsFileName(
  monitor: ServiceMonitor,
  endpointIndex: number,
): string {
  return `${monitor.metadata.namespace}_${monitor.metadata.name}_${endpointIndex}.json`;
}
