import { Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures';
import { createServiceThroughApi } from './goldenPath';
import { getThroughGateway, sqlAs, vaultSecret } from './platform';

/*
 * A service's secrets on the real node (issue 12): set in the Secrets card,
 * the pods restart and the service reports the key's version at /info, never
 * its value; the database password rotated while a loop keeps asking the
 * service, which answers every request, and then the old login no longer
 * logs in while the new one from Vault does. The service is a TypeScript one
 * with a database: its pods reach the platform's PostgreSQL through the
 * node's relay (docs/decisions/0018), and /info says whether it answers.
 * No value leaks: every API answer the browser got, the Create Service task's
 * log, the catalog's entities, the history and audit trail, and the pages'
 * HTML are searched for every value set or generated.
 */

type Info = {
  version: string;
  secretVersions: Record<string, number>;
  database: string;
};

async function info(url: string): Promise<Info | undefined> {
  const response = await getThroughGateway(url, '/info').catch(() => undefined);
  return response?.status === 200 ? JSON.parse(response.body) : undefined;
}

async function stagingUrl(page: Page, name: string) {
  await page.goto(`/catalog/default/component/${name}/environments`);
  const link = page.getByTestId('environment-staging').getByRole('link', {
    name: new RegExp(`^http://${name}\\.${name}-staging\\.localhost:\\d+`),
  });
  await expect(link).toBeVisible({ timeout: 60_000 });
  return (await link.getAttribute('href'))!;
}

/** Confirms the operation's dialog after its dry run; returns the version it wrote. */
async function confirm(page: Page, title: string, label: string) {
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog.getByText(/^Dry run: /)).toBeVisible();
  await dialog.getByRole('button', { name: label }).click();
  const written = dialog.getByText(/^Version \d+ written: /);
  await expect(written).toBeVisible({ timeout: 60_000 });
  const version = Number(/^Version (\d+)/.exec(await written.innerText())![1]);
  await expect(
    dialog.getByText(/^Deployed .* to staging\.$/),
    'the restart succeeded',
  ).toBeVisible({ timeout: 180_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  return version;
}

test.describe('secrets on the real node', () => {
  test.setTimeout(600_000);

  test('a secret set in the card restarts the service, which reports its version; a database password rotation keeps it answering and retires the old login', async ({
    signedIn: page,
    request,
  }) => {
    // Every answer of the backend to the browser, for the leak check at the end.
    const seen: Array<Promise<string>> = [];
    page.on('response', response => {
      if (!new URL(response.url()).pathname.startsWith('/api/')) return;
      seen.push(
        response
          .text()
          .then(text => `${response.url()}\n${text}`)
          .catch(() => ''),
      );
    });
    const name = `sec-${randomBytes(3).toString('hex')}`;
    const { headers, taskId } = await createServiceThroughApi(
      request,
      name,
      'typescript',
      'postgres',
    );
    const url = await stagingUrl(page, name);

    // The pods reach the platform's PostgreSQL and log in.
    await expect
      .poll(async () => (await info(url))?.database, { timeout: 120_000 })
      .toBe('answers');

    // Set a secret in the card.
    const value = `e2e-${randomBytes(24).toString('hex')}`;
    await page.goto(`/catalog/default/component/${name}`);
    // The Secrets card (an InfoCard, not an article): its table and buttons are the page's only ones.
    const card = page;
    await expect(
      page.getByRole('heading', { name: 'Secrets', exact: true }),
    ).toBeVisible();
    await card.getByRole('button', { name: 'Set a secret' }).click();
    const form = page.getByRole('dialog', { name: 'Set a secret in staging' });
    await form.getByLabel('Key').fill('FEATURE_TOKEN');
    await form.getByLabel('Value').fill(value);
    await form.getByRole('button', { name: 'Next' }).click();
    const setVersion = await confirm(
      page,
      'Set FEATURE_TOKEN in staging',
      'Set and restart',
    );

    // The restarted service reports the version, and the card lists it; the value shows nowhere.
    await expect
      .poll(async () => (await info(url))?.secretVersions['env/staging'], {
        timeout: 60_000,
      })
      .toBe(setVersion);
    const reported = await getThroughGateway(url, '/info');
    expect(reported.body).not.toContain(value);
    const row = card
      .getByRole('table', { name: 'Secrets in staging' })
      .getByRole('row')
      .filter({ hasText: 'FEATURE_TOKEN' });
    await expect(row).toContainText(String(setVersion));
    expect(await page.content()).not.toContain(value);

    // Rotate the database password twice while a loop keeps asking the service. The
    // first moves staging off the service-wide login, which production still uses, so
    // that one keeps working; the second retires staging's own first login.
    const ownerUrl = (await vaultSecret(`services/${name}/database`)).url;
    expect(sqlAs(ownerUrl, 'SELECT 1')).toBe('1');
    const logsIn = (connectionUrl: string) => {
      try {
        sqlAs(connectionUrl, 'SELECT 1');
        return 'logs in';
      } catch (error) {
        return String((error as { stderr?: string }).stderr);
      }
    };
    let requests = 0;
    const failures: string[] = [];
    let looping = true;
    const loop = (async () => {
      while (looping) {
        requests += 1;
        const answer = await getThroughGateway(url, '/healthz').catch(
          (error: Error) => ({ status: 0, body: error.message }),
        );
        if (answer.status !== 200) {
          failures.push(`${answer.status} ${answer.body.slice(0, 200)}`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    })();
    const urls: string[] = [];
    try {
      for (const round of [1, 2]) {
        await page.reload();
        await card
          .getByRole('table', { name: 'Secrets in staging' })
          .getByRole('row')
          .filter({ hasText: 'DATABASE_PASSWORD' })
          .getByRole('button', { name: 'Rotate' })
          .click();
        const rotatedVersion = await confirm(
          page,
          'Rotate DATABASE_PASSWORD in staging',
          'Rotate and restart',
        );
        await expect
          .poll(async () => info(url), { timeout: 60_000 })
          .toMatchObject({
            secretVersions: { 'env/staging': rotatedVersion },
            database: 'answers',
          });
        urls.push(
          (await vaultSecret(`services/${name}/env/staging`)).DATABASE_URL,
        );
        expect(urls[round - 1]).not.toBe(round === 1 ? ownerUrl : urls[0]);
      }
    } finally {
      looping = false;
      await loop;
    }
    expect(requests).toBeGreaterThan(20);
    expect(failures).toEqual([]);

    // The login staging left is refused once the new pods are Ready; the new one from
    // Vault logs in, and the service-wide one, production's, still does.
    const [oldUrl, newUrl] = urls;
    expect(logsIn(newUrl)).toBe('logs in');
    await expect
      .poll(() => logsIn(oldUrl), { timeout: 60_000 })
      .toMatch(/not permitted to log in/);
    expect(logsIn(ownerUrl)).toBe('logs in');
    const own = await vaultSecret(`services/${name}/env/staging`);

    // No value anywhere a user or a log reader sees.
    const pages: string[] = [];
    for (const tab of ['', '/environments']) {
      await page.goto(`/catalog/default/component/${name}${tab}`);
      await expect(
        page
          .getByRole('heading', { name: 'Secrets', exact: true })
          .or(page.getByTestId('environment-staging'))
          .first(),
      ).toBeVisible();
      pages.push(await page.content());
    }
    const api = async (path: string) => {
      const response = await request.get(path, { headers });
      const text = await response.text();
      expect(response.status(), `${path}: ${text}`).toBe(200);
      return `${path}\n${text}`;
    };
    const collected = [
      ...(await Promise.all(seen)),
      ...pages,
      await api(`/api/scaffolder/v2/tasks/${taskId}`),
      await api(`/api/scaffolder/v2/tasks/${taskId}/events`),
      await api(`/api/catalog/entities?filter=metadata.name=${name}`),
      await api(`/api/catalog/entities?filter=metadata.name=${name}-database`),
      await api(
        `/api/deployments/entities/component/default/${name}/deployments?limit=100`,
      ),
      await api(
        `/api/deployments/entities/component/default/${name}/audit-events`,
      ),
      await api(
        `/api/deployments/entities/component/default/${name}/environments/staging/secrets`,
      ),
    ];
    // The collection is real: the task log, the entity, the history and the secrets' names are in it.
    const all = collected.join('\n');
    expect(all).toContain('First deployment to staging');
    expect(all).toContain(`"name":"${name}"`);
    expect(all).toContain('secret-rotate');
    expect(all).toContain('FEATURE_TOKEN');
    const values = {
      value,
      ownerPassword: new URL(ownerUrl).password,
      oldPassword: new URL(oldUrl).password,
      newPassword: own.DATABASE_PASSWORD,
      sessionSecret: (await vaultSecret(`services/${name}/app`)).SESSION_SECRET,
    };
    for (const [what, secret] of Object.entries(values)) {
      expect(secret, what).toBeTruthy();
      expect({ what, leaked: all.includes(secret!) }).toEqual({
        what,
        leaked: false,
      });
    }
  });
});
