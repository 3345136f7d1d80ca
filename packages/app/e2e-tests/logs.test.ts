import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { entityTab, expect, test } from './fixtures';

/*
 * The Logs tab, followed: a request sent to the demo service through the
 * gateway (its staging URL, http://orders-api.orders-api-staging.localhost:<port>,
 * which Chromium resolves to loopback) shows up as a line while following.
 * It needs the service to write a line per request naming the path.
 */
test.describe('the Logs tab', () => {
  test.setTimeout(1_200_000);

  test("follows orders-api's staging logs and shows a request sent through the gateway", async ({
    signedIn: page,
  }) => {
    // The demo organization (leaves services that exist alone), as demo.test.ts.
    await promisify(execFile)(
      process.execPath,
      [
        path.resolve('scripts/demo/seed.ts'),
        '--backend',
        'http://localhost:17007',
        '--git',
        `http://localhost:${process.env.PAVED_GIT_PORT ?? 28930}`,
      ],
      { timeout: 1_100_000 },
    );

    // Its staging URL, as the Environments tab links it.
    await page.goto('/catalog/default/component/orders-api/environments');
    const link = page.getByTestId('environment-staging').getByRole('link', {
      name: /^http:\/\/orders-api\.orders-api-staging\.localhost:\d+/,
    });
    await expect(link).toBeVisible({ timeout: 60_000 });
    const url = (await link.getAttribute('href'))!;

    await entityTab(page, 'Logs').click();
    await expect(page.getByLabel('Environment')).toHaveValue('staging');
    await expect(page.getByLabel('Pod')).toContainText('All pods');
    await page.getByRole('checkbox', { name: 'Follow' }).check();

    // A request with a path of its own, from another tab of the browser.
    const probe = `/logs-probe-${randomBytes(4).toString('hex')}`;
    const other = await page.context().newPage();
    await other.goto(`${url}${probe}`).catch(() => null);
    await other.close();

    const log = page.getByRole('log', { name: 'Log lines' });
    await expect(log.getByText(probe)).toBeVisible({ timeout: 30_000 });

    // Unfollowed, the line stays.
    await page.getByRole('checkbox', { name: 'Follow' }).uncheck();
    await expect(log.getByText(probe)).toBeVisible();
  });
});
