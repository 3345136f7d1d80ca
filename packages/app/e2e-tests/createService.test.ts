import { entityTab, expect, test } from './fixtures';

test.describe('Create Service', () => {
  test('refuses invalid and taken names, then creates a service that shows up in the catalog', async ({
    signedIn: page,
  }) => {
    const name = `orders-${Date.now().toString(36)}`;

    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Create' })
      .click();
    await page
      .getByRole('article')
      .filter({ hasText: 'Create Service' })
      .getByRole('button', { name: 'Choose' })
      .click();
    await expect(
      page.getByRole('heading', { name: 'Create Service' }).first(),
    ).toBeVisible();

    const nameField = page.getByRole('textbox', { name: 'Name' });
    await page.getByRole('textbox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: /Storefront Team/ }).click();
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('Takes and tracks customer orders');
    const next = page.getByRole('button', { name: 'Next' });

    // The name rule, explained before anything runs.
    await nameField.fill('Orders_API');
    await next.click();
    await expect(
      page.getByText(/^Use 2 to 39 characters: lowercase letters/),
    ).toBeVisible();

    // A name the catalog already has.
    await nameField.fill('payments-service');
    await next.click();
    await expect(
      page
        .getByText(
          '"payments-service" is already taken by Component default/payments-service',
        )
        .first(),
    ).toBeVisible();

    await nameField.fill(name);
    await next.click();
    await expect(page.getByText('Language').first()).toBeVisible();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    // The task page streams the steps; the output links appear when it completes.
    const openInCatalog = page.getByRole('link', { name: 'Open in catalog' });
    await expect(openInCatalog).toBeVisible({ timeout: 90_000 });
    await expect(page.getByRole('link', { name: 'Repository' })).toBeVisible();
    await openInCatalog.click();

    await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
    await expect(
      page.getByText('Takes and tracks customer orders').first(),
    ).toBeVisible();

    // Its TechDocs build from the new repository's docs/.
    await entityTab(page, 'TechDocs').click();
    // "Run it locally" is a section of the skeleton's docs/index.md.
    await expect(
      page.getByRole('heading', { name: 'Run it locally' }),
    ).toBeVisible({ timeout: 90_000 });

    // And it is in the catalog list, owned by the chosen team.
    await page.goto('/');
    await page.getByRole('menuitem', { name: /^All/ }).click();
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name }) });
    await expect(
      row.getByRole('link', { name: 'Storefront Team' }),
    ).toBeVisible();
  });
});
