import { entityCard, expect, test } from './fixtures';

test.describe('entity pages', () => {
  test('a component shows its owner, relations and the API it provides', async ({
    signedIn: page,
  }) => {
    await page.goto('/catalog/default/component/payments-service');
    await expect(
      page.getByRole('heading', { name: 'Payments Service', level: 2 }),
    ).toBeVisible();

    await expect(
      entityCard(page, 'About').getByRole('link', { name: 'Payments Team' }),
    ).toBeVisible();
    await expect(
      entityCard(page, 'Provided APIs').getByRole('link', {
        name: 'Payments API',
      }),
    ).toBeVisible();
    await expect(
      entityCard(page, 'Depends on resources').getByRole('link', {
        name: 'Payments DB',
      }),
    ).toBeVisible();
    await expect(
      entityCard(page, 'Depends on components').getByRole('link', {
        name: 'money-lib',
      }),
    ).toBeVisible();
    // The relations graph draws the same relations.
    await expect(
      entityCard(page, 'Relations').getByText('providesApi'),
    ).toBeVisible();
  });

  test('an API shows its OpenAPI definition, rendered', async ({
    signedIn: page,
  }) => {
    // From the component, follow the API it provides.
    await page.goto('/catalog/default/component/payments-service');
    await entityCard(page, 'Provided APIs')
      .getByRole('link', { name: 'Payments API' })
      .click();
    await expect(
      page.getByRole('heading', { name: 'Payments API', level: 2 }),
    ).toBeVisible();
    await page.goto('/catalog/default/api/payments-api/definition');
    // Swagger UI renders the operations of the definition.
    await expect(
      page.getByText('/payment-intents', { exact: true }).first(),
    ).toBeVisible();
    await expect(page.getByText('Idempotency-Key').first()).toBeVisible();
  });

  test('an event API shows its AsyncAPI definition, rendered', async ({
    signedIn: page,
  }) => {
    await page.goto('/catalog/default/api/order-events/definition');
    await expect(page.getByText('orders.placed').first()).toBeVisible();
  });
});
