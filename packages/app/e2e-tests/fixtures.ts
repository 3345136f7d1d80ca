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

/**
 * Signs in as a User of the catalog (the localUser provider), e.g.
 * `hannah-kim`. Use a fresh page: a remembered session skips the choice.
 */
export async function signInAs(page: Page, user: string) {
  await page.goto('/');
  await page.getByLabel('User name').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible({ timeout: 60_000 });
}

export const test = base.extend<{ signedIn: Page }>({
  // Playwright calls the second argument `use`; named otherwise so the React hooks lint rule stays quiet.
  signedIn: async ({ page }, provide) => {
    await signInAsGuest(page);
    await provide(page);
  },
});

/** A tab of an entity page (Overview, TechDocs, Definition, ...). */
export const entityTab = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name });

/** A card of an entity page, found by its title. */
export const entityCard = (page: Page, title: string) =>
  page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: title, exact: true }) });

export { expect };
