import { expect, Page, test as base } from '@playwright/test';

/** Signs in as the guest user (user:default/guest, a member of storefront-team). */
async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  // The <nav> itself has no box of its own; its links do.
  const nav = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true });
  // A remembered session skips the sign-in page.
  await expect(enter.or(nav)).toBeVisible({ timeout: 60_000 });
  if (await enter.isVisible()) await enter.click();
  await expect(nav).toBeVisible();
}

export const test = base.extend<{ signedIn: Page }>({
  signedIn: async ({ page }, use) => {
    await signInAsGuest(page);
    await use(page);
  },
});

export { expect };
