import { APIRequestContext, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { entityTab, expect, test } from './fixtures';
import { createServiceThroughApi } from './goldenPath';
import {
  getThroughGateway,
  kubernetesObject,
  postgresSuperuserUrl,
  prometheusUrl,
  sqlAs,
  vaultSecret,
} from './platform';

/*
 * Monitoring by default, end to end (issue 13's acceptance): a TypeScript service with a
 * database, made through the scaffolder API, gets traffic from this test on loopback through
 * the gateway, and its Metrics tab shows the request rate. Then a real fault: its database
 * login is revoked (ALTER ROLE … NOLOGIN as the platform's superuser), so the skeleton's
 * /database route answers 503 naming the cause, until the fast-burn availability alert fires
 * in the platform's Prometheus, goes through Alertmanager to the portal, and reaches the
 * owners: the notification (bell and notifications page) and the entity page's Alerts card.
 * The login is given back, good traffic brings the 5-minute window under the threshold, and
 * the alert resolves in both places. Last, the Logs tab, followed, shows the request lines.
 *
 * The one concession to time: app-config.e2e.yaml's paved.monitoring.slo (evaluation every
 * 2 s, `for` 10 s) and the test platform's 2 s scrape (scripts/test.sh). With PAVED_BENCH_OUT
 * set, the timings (first error → firing → the portal) are written there as JSON for
 * bench/alerts.sh; nothing here asserts on them.
 */

const ALERT = 'AvailabilityBudgetBurnFast';

type Alert = {
  alertname: string;
  environment: string;
  status: 'firing' | 'resolved';
  startsAt: string;
  resolvedAt?: string;
};

type Notification = {
  id: string;
  created: string;
  updated?: string;
  payload: { title: string };
};

/** A client on loopback asking one route of the service through the gateway, `workers` at a time, until stopped. */
function traffic(url: string, path: string, pauseMs: number, workers = 1) {
  const counts: Record<string, number> = {};
  let firstError: number | undefined;
  let running = true;
  const worker = async () => {
    while (running) {
      const answer = await getThroughGateway(url, path).catch(() => ({
        status: 0,
        body: '',
      }));
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
      if (answer.status >= 500 && firstError === undefined)
        firstError = Date.now();
      await new Promise(resolve => setTimeout(resolve, pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    counts,
    firstError: () => firstError,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function stagingUrl(page: Page, name: string) {
  await page.goto(`/catalog/default/component/${name}/environments`);
  const link = page.getByTestId('environment-staging').getByRole('link', {
    name: new RegExp(`^http://${name}\\.${name}-staging\\.localhost:\\d+`),
  });
  await expect(link).toBeVisible({ timeout: 60_000 });
  return (await link.getAttribute('href'))!;
}

test.describe('monitoring by default', () => {
  test.setTimeout(1_500_000);

  test('a new service shows its request rate; a database outage fires the fast-burn alert to its owners, which resolves once it is over; its logs follow its requests', async ({
    signedIn: page,
    request,
  }) => {
    const name = `mon-${randomBytes(3).toString('hex')}`;
    const namespace = `${name}-staging`;
    const { headers } = await createServiceThroughApi(
      request,
      name,
      'typescript',
      'postgres',
    );
    const api = async (path: string) => {
      const response = await (request as APIRequestContext).get(path, {
        headers,
      });
      expect(response.ok(), `${path}: ${response.status()}`).toBe(true);
      return response.json();
    };
    const alerts = async (): Promise<Alert[]> =>
      (await api(`/api/deployments/entities/component/default/${name}/alerts`))
        .items;
    /** The fast burn's status in staging, as the portal keeps it. */
    const stagingAlertStatus = async () =>
      (await alerts()).find(
        a => a.alertname === ALERT && a.environment === 'staging',
      )?.status;
    const notifications = async (): Promise<Notification[]> =>
      (
        await api(
          '/api/notifications/notifications?topic=paved-alerts&limit=100',
        )
      ).notifications.filter((n: Notification) =>
        n.payload.title.includes(`${ALERT} on ${name} (staging)`),
      );

    // Create Service applied the SLO rules with the e2e config's timing.
    const rule = kubernetesObject('prometheusrule', `${name}-slo`, namespace);
    const fastBurn = rule.spec.groups[0].rules.find(
      (r: { alert?: string }) => r.alert === ALERT,
    );
    expect({
      interval: rule.spec.groups[0].interval,
      for: fastBurn.for,
    }).toEqual({ interval: '2s', for: '10s' });

    // The service answers, and its database takes its login.
    const url = await stagingUrl(page, name);
    await expect
      .poll(async () => (await getThroughGateway(url, '/database')).status, {
        timeout: 180_000,
        intervals: [2_000],
      })
      .toBe(200);

    // Traffic: one client asking /database four times a second for the whole test.
    const steady = traffic(url, '/database', 250);
    const helpers: Array<ReturnType<typeof traffic>> = [];
    const superuser = postgresSuperuserUrl();
    const login = new URL((await vaultSecret(`services/${name}/database`)).url)
      .username;
    const setLogin = (can: boolean) =>
      sqlAs(superuser, `ALTER ROLE "${login}" ${can ? 'LOGIN' : 'NOLOGIN'}`);
    const timings: Record<string, number | string> = {
      service: name,
      alertFor: fastBurn.for,
      evaluationInterval: rule.spec.groups[0].interval,
    };
    try {
      // The Metrics tab: staging's request rate, once Prometheus has scraped a few times.
      await page.goto(`/catalog/default/component/${name}`);
      await entityTab(page, 'Metrics').click();
      // Per environment an InfoCard; only staging has traffic, so the one rate is staging's.
      await expect(page.getByText(`namespace ${namespace}`)).toBeVisible();
      await expect(async () => {
        await page.reload();
        await expect(page.getByText('Request rate')).toBeVisible({
          timeout: 15_000,
        });
        await expect(page.getByTestId('no-traffic-staging')).toHaveCount(0);
        const value = await page
          .getByRole('heading', { name: /^[\d.]+ req\/s$/ })
          .innerText();
        expect(parseFloat(value)).toBeGreaterThan(0);
      }).toPass({ timeout: 240_000, intervals: [5_000] });

      // The fault: the database refuses the service's login; /database answers 503 naming it.
      setLogin(false);
      await expect
        .poll(async () => (await getThroughGateway(url, '/database')).body, {
          timeout: 30_000,
        })
        .toContain('refused (28000)');

      // Errors until the fast burn fires and the portal has it.
      await expect
        .poll(stagingAlertStatus, { timeout: 300_000, intervals: [1_000] })
        .toBe('firing');
      timings.firstError = new Date(steady.firstError()!).toISOString();
      const [firing] = await notifications();
      timings.notified = firing.created;
      const active = (
        await (await fetch(`${prometheusUrl()}/api/v1/alerts`)).json()
      ).data.alerts.find(
        (a: { labels: Record<string, string> }) =>
          a.labels.alertname === ALERT && a.labels.service === name,
      );
      timings.prometheusActiveAt = active?.activeAt ?? 'unknown';

      // The owners see it: the bell counts it, the notifications page lists it.
      await page.goto(`/catalog/default/component/${name}`);
      await expect(page.getByLabel('Unread notifications')).toHaveText(
        /^[1-9]\d*$/,
        { timeout: 30_000 },
      );
      await page
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: /Notifications/ })
        .click();
      await expect(
        page.getByRole('row').filter({
          hasText: `Alert firing: ${ALERT} on ${name} (staging)`,
        }),
      ).toHaveCount(1);

      // The entity page's Alerts card shows it as a banner.
      await page.goto(`/catalog/default/component/${name}`);
      // The Alerts card (an InfoCard, not an article): its banners (role alert) and its
      // resolved lines are the page's only ones.
      const card = page;
      await expect(page.getByText('Alerts', { exact: true })).toBeVisible();
      await expect(
        card.getByRole('alert').filter({
          hasText: `Firing: ${ALERT} in staging`,
        }),
      ).toBeVisible();

      // The errors stop; good traffic brings the 5-minute window under 14.4 × the budget.
      setLogin(true);
      timings.errorsStopped = new Date().toISOString();
      await expect
        .poll(async () => (await getThroughGateway(url, '/database')).status, {
          timeout: 30_000,
        })
        .toBe(200);
      helpers.push(traffic(url, '/', 25, 4));
      await expect
        .poll(stagingAlertStatus, { timeout: 420_000, intervals: [2_000] })
        .toBe('resolved');
      const [resolved] = await notifications();
      expect(resolved.payload.title).toBe(
        `Alert resolved: ${ALERT} on ${name} (staging)`,
      );
      timings.resolvedNotified = resolved.updated ?? resolved.created;

      // Resolved in both places: the card's line and the notification, updated in place.
      await page.reload();
      await expect(
        card
          .getByTestId('alert-resolved')
          .filter({ hasText: `${ALERT} in staging` }),
      ).toBeVisible();
      await expect(
        card.getByRole('alert').filter({
          hasText: `Firing: ${ALERT} in staging`,
        }),
      ).toHaveCount(0);
      await page.goto('/notifications');
      await expect(
        page.getByRole('row').filter({
          hasText: `Alert resolved: ${ALERT} on ${name} (staging)`,
        }),
      ).toHaveCount(1);
    } finally {
      setLogin(true);
      await Promise.all([steady.stop(), ...helpers.map(h => h.stop())]);
      timings.requests = JSON.stringify(steady.counts);
      if (process.env.PAVED_BENCH_OUT) {
        writeFileSync(process.env.PAVED_BENCH_OUT, JSON.stringify(timings));
      }
    }

    // The Logs tab, followed: a request with a path of its own shows up as a line.
    await page.goto(`/catalog/default/component/${name}`);
    await entityTab(page, 'Logs').click();
    await expect(page.getByLabel('Environment')).toHaveValue('staging');
    await page.getByRole('checkbox', { name: 'Follow' }).check();
    const probe = `/monitoring-probe-${randomBytes(4).toString('hex')}`;
    await getThroughGateway(url, probe);
    await expect(
      page.getByRole('log', { name: 'Log lines' }).getByText(probe),
    ).toBeVisible({ timeout: 60_000 });
  });
});
