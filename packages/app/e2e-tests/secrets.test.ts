import { Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { entityCard, expect, test } from './fixtures';
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
  const link = page
    .getByTestId('environment-staging')
    .getByRole('link', {
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
    const name = `sec-${randomBytes(3).toString('hex')}`;
    await createServiceThroughApi(request, name, 'typescript', 'postgres');
    const url = await stagingUrl(page, name);

    // The pods reach the platform's PostgreSQL and log in.
    await expect
      .poll(async () => (await info(url))?.database, { timeout: 120_000 })
      .toBe('answers');

    // Set a secret in the card.
    const value = `e2e-${randomBytes(24).toString('hex')}`;
    await page.goto(`/catalog/default/component/${name}`);
    const card = entityCard(page, 'Secrets');
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

    // Rotate the database password while a loop keeps asking the service.
    const oldUrl = (await vaultSecret(`services/${name}/database`)).url;
    expect(sqlAs(oldUrl, 'SELECT 1')).toBe('1');
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
    try {
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
    } finally {
      looping = false;
      await loop;
    }
    expect(requests).toBeGreaterThan(20);
    expect(failures).toEqual([]);

    // The old login is refused once the new pods are Ready; the new one from Vault logs in.
    const own = await vaultSecret(`services/${name}/env/staging`);
    expect(own.DATABASE_URL).not.toBe(oldUrl);
    expect(sqlAs(own.DATABASE_URL, 'SELECT 1')).toBe('1');
    await expect
      .poll(
        () => {
          try {
            sqlAs(oldUrl, 'SELECT 1');
            return 'logs in';
          } catch (error) {
            return String((error as { stderr?: string }).stderr);
          }
        },
        { timeout: 60_000 },
      )
      .toMatch(/not permitted to log in|password authentication failed/);
    expect(await page.content()).not.toContain(own.DATABASE_PASSWORD);
  });
});
