import { entityTab, expect, test } from './fixtures';
import { kubernetesObject, sqlAs, vaultSecret } from './platform';

test.describe('Create Service', () => {
  test('refuses invalid and taken names, then provisions a Go service with a database, deploys it to staging and lists it in the catalog', async ({
    signedIn: page,
  }) => {
    test.setTimeout(480_000);
    const name = `orders-${Date.now().toString(36)}`;

    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Create' })
      .click();
    // Golden paths are listed by title: Create Service comes first.
    await expect(
      page.getByRole('heading', { name: 'Create Service', level: 4 }),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Choose' }).first().click();
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
    const choose = async (field: string, option: string) => {
      await page.getByRole('button', { name: new RegExp(`^${field}`) }).click();
      await page.getByRole('option', { name: option }).click();
    };
    await choose('Language', 'Go (1.24, standard library)');
    await choose('Database', 'PostgreSQL');
    await choose('Tier', 'Experimental (1 replica, small quota)');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    // The task page streams the steps and their logs; the output links appear when it completes.
    await expect(page.getByText('First deployment to staging')).toBeVisible({
      timeout: 30_000,
    });
    const openInCatalog = page.getByRole('link', { name: 'Open in catalog' });
    await expect(openInCatalog).toBeVisible({ timeout: 300_000 });
    await expect(page.getByRole('link', { name: 'Repository' })).toBeVisible();

    // What the click created, checked on the real platform.
    const namespace = `${name}-staging`;
    expect(kubernetesObject('namespace', namespace)).toBeDefined();
    expect(kubernetesObject('namespace', `${name}-production`)).toBeDefined();
    const deployment = kubernetesObject('deployment', name, namespace);
    // The image the builder built from the repository's first commit.
    expect(deployment.spec.template.spec.containers[0].image).toMatch(
      new RegExp(`^registry\\.paved\\.local/${name}:[0-9a-f]{40}$`),
    );
    expect(deployment.status.availableReplicas).toBe(1);
    const credentials = await vaultSecret(`services/${name}/database`);
    expect(sqlAs(credentials.url, 'SELECT current_database()')).toBe(
      name.replace(/-/g, '_'),
    );
    // The credentials never reach the browser.
    expect(await page.content()).not.toContain(credentials.password);

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
