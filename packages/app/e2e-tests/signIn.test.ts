import { expect, signInAs, test } from './fixtures';

test.describe('local sign-in', () => {
  test('signs in as a catalog user, and names a user the catalog does not have', async ({
    page,
  }) => {
    await page.goto('/');
    await page.getByLabel('User name').fill('nobody-here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(
      page.getByText('there is no user:default/nobody-here in the catalog'),
    ).toBeVisible({ timeout: 30_000 });

    await signInAs(page, 'hannah-kim');
    // Settings show who is signed in. (That their groups come with them, the
    // deploy test shows: hannah-kim approves as a member of storefront-team.)
    const profile = page.getByRole('heading', {
      name: 'hannah-kim',
      exact: true,
    });
    await page.goto('/settings');
    await expect(profile).toBeVisible();

    // A reload keeps the session.
    await page.reload();
    await expect(profile).toBeVisible();
  });
});
