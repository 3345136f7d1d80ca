import { expect, test } from './fixtures';

test.describe('search', () => {
  test('finds a component by a word that only its docs contain', async ({
    signedIn: page,
  }) => {
    // TechDocs are prebuilt at start-up and indexed on a schedule: retry until indexed.
    await expect(async () => {
      await page.goto('/search?query=idempotency-ledger');
      await expect(
        page.getByRole('link', { name: /Idempotency ledger/i }).first(),
      ).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 120_000, intervals: [5_000] });
    await page
      .getByRole('link', { name: /Idempotency ledger/i })
      .first()
      .click();
    await expect(page).toHaveURL(
      /\/docs\/default\/component\/payments-service\/runbook/,
    );
  });
});
