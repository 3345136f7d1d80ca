import { entityTab, expect, test } from './fixtures';

test.describe('TechDocs', () => {
  test("renders a component's docs, built from its docs/ folder", async ({
    signedIn: page,
  }) => {
    await page.goto('/catalog/default/component/payments-service');
    await entityTab(page, 'TechDocs').click();
    // TechDocs renders the mkdocs output inside a shadow root; Playwright pierces it.
    await expect(
      page
        .getByRole('heading', { name: 'payments-service', level: 1 })
        .or(page.getByRole('heading', { name: /Payments Service/i, level: 1 }))
        .first(),
    ).toBeVisible({ timeout: 90_000 });
    await page.getByRole('link', { name: 'Runbook' }).first().click();
    await expect(
      page.getByRole('heading', { name: /Idempotency ledger/i }).first(),
    ).toBeVisible();
  });
});
