/**
 * The local platform's stand-in for the Prometheus Operator (docs/decisions/0019): it reads
 * every ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1) in the cluster, writes
 * Prometheus' configuration and rule files from them the way the operator does
 * (plugins/provisioning-node/src/monitoring/operatorConfig.ts), checks each rule file with
 * promtool (an invalid one is left out and logged, as the operator's admission webhook would
 * refuse it), and reloads Prometheus (POST /-/reload) when anything changed.
 *
 * Level-triggered: it lists both kinds every PAVED_MONITORING_RESYNC_MS (2000) and
 * converges, so a restart, a missed event or a hand-edited file are all put right on the next
 * pass. Started by scripts/platform/lib/prometheus.sh.
 *
 * Environment: PAVED_KUBE_SERVER, PAVED_KUBE_TOKEN_FILE, PAVED_KUBE_CA_FILE,
 * PAVED_PROMETHEUS_URL, PAVED_PROMETHEUS_DIR (prometheus.yml and rules/ go there),
 * PAVED_ALERTMANAGER_ADDRESS, PAVED_PROMTOOL.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import {
  discoveredTargets,
  type EndpointsObject,
  prometheusConfig,
  type PrometheusRule,
  ruleFileFor,
  type ServiceMonitor,
  type ServiceObject,
  targetsFileName,
} from '../../../plugins/provisioning-node/src/monitoring/operatorConfig.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set (scripts/platform/lib/prometheus.sh sets it)`,
    );
  return value;
};
const apiServer = env('PAVED_KUBE_SERVER');
const tokenFile = env('PAVED_KUBE_TOKEN_FILE');
const caFile = env('PAVED_KUBE_CA_FILE');
const prometheusUrl = env('PAVED_PROMETHEUS_URL');
const dir = env('PAVED_PROMETHEUS_DIR');
const alertmanager = env('PAVED_ALERTMANAGER_ADDRESS');
const promtool = env('PAVED_PROMTOOL');
const resyncMs = Number(process.env.PAVED_MONITORING_RESYNC_MS ?? 2000);
const rulesDir = path.join(dir, 'rules');
const targetsDir = path.join(dir, 'targets');
const agent = new https.Agent({ ca: readFileSync(caFile), keepAlive: true });

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(
    JSON.stringify({ time: new Date().toISOString(), msg, ...fields }),
  );

function list<T>(plural: string): Promise<T[]> {
  const url = plural.includes('/')
    ? `${apiServer}${plural}`
    : `${apiServer}/apis/monitoring.coreos.com/v1/${plural}`;
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      {
        agent,
        headers: {
          authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`,
        },
      },
      response => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(
              new Error(
                `GET ${url}: ${response.statusCode} ${body.slice(0, 300)}`,
              ),
            );
          } else {
            resolve((JSON.parse(body) as { items: T[] }).items);
          }
        });
      },
    );
    request.on('error', reject);
    request.setTimeout(10_000, () =>
      request.destroy(new Error(`GET ${url} timed out`)),
    );
  });
}

async function writeIfChanged(file: string, content: string): Promise<boolean> {
  if (existsSync(file) && (await readFile(file, 'utf8')) === content)
    return false;
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
  return true;
}

function checkRules(file: string): Promise<string | undefined> {
  return new Promise(resolve =>
    execFile(promtool, ['check', 'rules', file], (error, stdout, stderr) =>
      resolve(error ? `${stdout}${stderr}`.trim() : undefined),
    ),
  );
}

const refused = new Map<string, string>();

async function reconcile(): Promise<void> {
  const [monitors, rules, services, endpoints] = await Promise.all([
    list<ServiceMonitor>('servicemonitors'),
    list<PrometheusRule>('prometheusrules'),
    list<ServiceObject>('/api/v1/services'),
    list<EndpointsObject>('/api/v1/endpoints'),
  ]);
  // Discovery (Debian's Prometheus has no Kubernetes discovery): each endpoint's targets into
  // targets/<ns>_<name>_<i>.json, which Prometheus re-reads by itself.
  await mkdir(targetsDir, { recursive: true });
  const targetFiles = new Set<string>();
  for (const monitor of monitors) {
    for (let i = 0; i < (monitor.spec.endpoints ?? []).length; i++) {
      const file = targetsFileName(monitor, i);
      targetFiles.add(file);
      const groups = discoveredTargets(monitor, i, services, endpoints);
      await writeIfChanged(
        path.join(targetsDir, file),
        `${JSON.stringify(groups, null, 2)}\n`,
      );
    }
  }
  for (const file of await readdir(targetsDir)) {
    if (!targetFiles.has(file))
      await rm(path.join(targetsDir, file), { force: true });
  }
  await mkdir(rulesDir, { recursive: true });
  let changed = false;
  const wanted = new Set<string>();
  for (const rule of rules) {
    const { name, content } = ruleFileFor(rule);
    const text = `${JSON.stringify(content, null, 2)}\n`;
    const candidate = path.join(dir, `check-${name}`);
    await writeFile(candidate, text);
    const problem = await checkRules(candidate);
    await rm(candidate, { force: true });
    if (problem) {
      if (refused.get(name) !== problem) {
        log('PrometheusRule refused: promtool check rules failed', {
          namespace: rule.metadata.namespace,
          name: rule.metadata.name,
          problem,
        });
        refused.set(name, problem);
      }
      continue;
    }
    refused.delete(name);
    wanted.add(name);
    changed =
      (await writeIfChanged(path.join(rulesDir, name), text)) || changed;
  }
  for (const file of await readdir(rulesDir)) {
    if (!wanted.has(file)) {
      await rm(path.join(rulesDir, file), { force: true });
      changed = true;
    }
  }
  const config = prometheusConfig({
    monitors,
    api: { url: apiServer, caFile, bearerTokenFile: tokenFile },
    alertmanager,
    ruleFilesGlob: path.join(rulesDir, '*.yaml'),
    targetsDir,
    selfTarget: new URL(prometheusUrl).host,
    scrapeInterval: process.env.PAVED_MONITORING_SCRAPE_INTERVAL,
  });
  changed =
    (await writeIfChanged(
      path.join(dir, 'prometheus.yml'),
      `${JSON.stringify(config, null, 2)}\n`,
    )) || changed;
  if (changed) {
    const response = await fetch(`${prometheusUrl}/-/reload`, {
      method: 'POST',
    });
    if (!response.ok)
      throw new Error(
        `POST /-/reload: ${response.status} ${await response.text()}`,
      );
    log('reloaded Prometheus', {
      serviceMonitors: monitors.length,
      prometheusRules: wanted.size,
    });
  }
}

let lastError = '';
async function loop(): Promise<void> {
  try {
    await reconcile();
    if (lastError) log('reconciling again');
    lastError = '';
  } catch (error) {
    const message = String(error);
    if (message !== lastError)
      log('reconcile failed; retrying', { error: message });
    lastError = message;
  }
  setTimeout(loop, resyncMs);
}
log('started', { apiServer, prometheusUrl, resyncMs });
void loop();
process.once('SIGTERM', () => process.exit(0));
