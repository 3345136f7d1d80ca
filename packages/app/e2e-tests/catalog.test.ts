import { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** The catalog table's title, e.g. "All Components (10)". */
const tableTitle = (page: Page, title: RegExp) =>
  page.getByRole('heading', { name: title }).first();

test.describe('catalog', () => {
  test('lists components, filters by kind and by owner', async ({
    signedIn: page,
  }) => {
    // The catalog page sets its "Owned" default once the user's identity has loaded; a click
    // on "All" before that is overridden, so the click is repeated until "All" holds.
    await expect(async () => {
      await page.getByRole('menuitem', { name: /^All/ }).click();
      await expect(tableTitle(page, /All Components \(10\)/i)).toBeVisible({
        timeout: 5_000,
      });
    }).toPass({ timeout: 45_000 });
    const table = page.getByRole('table');
    await expect(
      table.getByRole('link', { name: 'Payments Service' }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'Storefront Web' }),
    ).toBeVisible();

    await page.getByRole('button', { name: 'Component' }).click();
    await page.getByRole('option', { name: 'API' }).click();
    await expect(tableTitle(page, /All APIs \(3\)/i)).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'Payments API' }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'Payments Service' }),
    ).toHaveCount(0);

    await page.getByRole('button', { name: 'API' }).click();
    await page.getByRole('option', { name: 'Component' }).click();
    await expect(tableTitle(page, /All Components \(10\)/i)).toBeVisible();
    await page.getByRole('textbox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: 'Payments Team' }).click();
    await page.keyboard.press('Escape');
    await expect(tableTitle(page, /All Components \(2\)/i)).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'Payments Service' }),
    ).toBeVisible();
    await expect(table.getByRole('link', { name: 'money-lib' })).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'Storefront Web' }),
    ).toHaveCount(0);
  });
});
