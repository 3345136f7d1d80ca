import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { entityTab, expect, test } from './fixtures';

/*
 * What a newcomer opens first: a demo golden-path service that already runs in
 * staging and production, with a history. `npm start` seeds it through Paved's
 * own APIs (scripts/demo/seed.ts); this test runs the same command against the
 * browser tests' backend (it leaves services that exist alone), then looks.
 */
test.describe('the demo organization', () => {
  test.setTimeout(1_200_000);

  test('orders-api runs in staging and production; what runs where, its history and the Deploy button come first', async ({
    signedIn: page,
  }) => {
    const seeded = await promisify(execFile)(
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
    process.stdout.write(seeded.stdout);

    // The Overview, without scrolling: what runs where, and the Deploy button.
    await page.goto('/catalog/default/component/orders-api');
    await expect(
      page.getByRole('heading', { name: 'Deployments', exact: true }),
    ).toBeInViewport();
    const summary = page.getByRole('table', { name: 'What runs where' });
    await expect(
      summary.getByRole('row').filter({ hasText: 'staging' }),
    ).toBeInViewport();
    await expect(
      summary.getByRole('row').filter({ hasText: 'production' }),
    ).toBeInViewport();
    await expect(
      page.getByRole('button', { name: 'Deploy', exact: true }).first(),
    ).toBeInViewport();

    // The Environments tab: both environments, the history with the promotion
    // and the rollback, and the approval by another member in the audit trail.
    await entityTab(page, 'Environments').click();
    await expect(page.getByTestId('environment-staging')).toBeVisible();
    await expect(page.getByTestId('environment-production')).toBeVisible();
    const rows = page.getByRole('row');
    await expect(
      rows
        .filter({ hasText: 'production' })
        .filter({ hasText: 'diego-alvarez' })
        .first(),
    ).toBeVisible();
    await expect(
      rows
        .filter({ hasText: 'tom-becker' })
        .filter({ hasText: 'succeeded' })
        .first(),
    ).toBeVisible();
    await expect(
      rows
        .filter({ hasText: 'hannah-kim' })
        .filter({ hasText: 'approve' })
        .first(),
    ).toBeVisible();
  });
});
