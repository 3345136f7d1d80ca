import { Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { entityTab, expect, signInAs, test } from './fixtures';
import { createServiceThroughApi } from './goldenPath';
import { kubernetesObject, retagImage } from './platform';

/** The image of the service's Deployment in an environment, from the real apiserver. */
const liveImage = (name: string, environment: string) =>
  kubernetesObject('deployment', name, `${name}-${environment}`)?.spec.template
    .spec.containers[0].image;

const environmentCard = (page: Page, environment: string) =>
  page.getByTestId(`environment-${environment}`);

/** Deploys from the Deploy dialog, confirming, and waits for the rollout's result. */
async function deploy(
  page: Page,
  name: string,
  image: string,
  running: string,
) {
  await page
    .getByRole('button', { name: 'Deploy', exact: true })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: `Deploy ${name}` });
  await dialog.getByLabel('Environment').selectOption('staging');
  // Built images come first; this test deploys release tags by reference.
  await dialog
    .getByLabel('Built image')
    .selectOption({ label: 'Another image (enter a reference)' });
  await dialog.getByRole('textbox', { name: 'Image', exact: true }).fill(image);
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByText(`Currently running: ${running}`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Deploy to staging' }).click();
  await expect(dialog.getByText(`Deployed ${image} to staging.`)).toBeVisible({
    timeout: 90_000,
  });
  return dialog;
}

test.describe('deploy, promote with approval, roll back', () => {
  test.setTimeout(360_000);

  test('deploys to staging, promotes to production with another owner approving, and rolls back', async ({
    signedIn: page,
    browser,
    request,
  }) => {
    const name = `deploy-${randomBytes(3).toString('hex')}`;
    const image = (tag: string) => `registry.paved.local/${name}:${tag}`;
    await createServiceThroughApi(request, name, 'go');
    // What Create Service built and deployed, tagged as two releases.
    const built = liveImage(name, 'staging') as string;
    const commit = built.split(':').pop()!;
    expect(built).toBe(image(commit));
    await retagImage(name, commit, '1.1.0');
    await retagImage(name, commit, '1.2.0');

    // Deploy from the entity's overview: a bad image is refused in the form.
    await page.goto(`/catalog/default/component/${name}`);
    await page
      .getByRole('button', { name: 'Deploy', exact: true })
      .first()
      .click();
    const form = page.getByRole('dialog', { name: `Deploy ${name}` });
    await form
      .getByLabel('Built image')
      .selectOption({ label: 'Another image (enter a reference)' });
    await form
      .getByRole('textbox', { name: 'Image', exact: true })
      .fill(`${name}:latest`);
    await expect(form.getByText(/names no registry/)).toBeVisible();
    await expect(form.getByRole('button', { name: 'Next' })).toBeDisabled();
    await form.getByRole('button', { name: 'Cancel' }).click();

    const dialog = await deploy(page, name, image('1.1.0'), built);
    expect(liveImage(name, 'staging')).toBe(image('1.1.0'));
    await dialog.getByRole('link', { name: 'View environments' }).click();

    // The environments view shows the new version, rolled out.
    const staging = environmentCard(page, 'staging');
    await expect(
      staging.getByText(image('1.1.0'), { exact: true }),
    ).toBeVisible();
    await expect(staging.getByText(/complete/i).first()).toBeVisible();
    await expect(
      environmentCard(page, 'production').getByText('Not deployed yet'),
    ).toBeVisible();

    // Promote: production waits for an approval, which the requester may not give.
    await staging
      .getByRole('button', { name: 'Promote to production' })
      .click();
    const promote = page.getByRole('dialog', { name: 'Promote to production' });
    await promote.getByRole('button', { name: 'Promote', exact: true }).click();
    await expect(promote.getByText(/Approval pending/)).toBeVisible();
    await promote.getByRole('button', { name: 'Close' }).click();
    const pending = page.getByRole('list', {
      name: 'Pending approvals for production',
    });
    await expect(pending).toBeVisible();
    await expect(pending.getByRole('button', { name: 'Approve' })).toHaveCount(
      0,
    );
    expect(liveImage(name, 'production')).toBeUndefined();

    // Another member of storefront-team approves, in a browser of their own.
    const hannah = await (await browser.newContext()).newPage();
    await signInAs(hannah, 'hannah-kim');
    await hannah.goto(`/catalog/default/component/${name}/environments`);
    await hannah
      .getByRole('list', { name: 'Pending approvals for production' })
      .getByRole('button', { name: 'Approve' })
      .click();
    const approve = hannah.getByRole('dialog', {
      name: 'Approve promotion to production',
    });
    await approve.getByRole('button', { name: 'Approve and deploy' }).click();
    await expect(
      environmentCard(hannah, 'production').getByText(image('1.1.0'), {
        exact: true,
      }),
    ).toBeVisible({ timeout: 90_000 });
    await expect
      .poll(() => liveImage(name, 'production'), { timeout: 60_000 })
      .toBe(image('1.1.0'));
    await expect
      .poll(
        () =>
          kubernetesObject('deployment', name, `${name}-production`)?.status
            ?.availableReplicas,
        { timeout: 60_000 },
      )
      .toBe(1);
    await hannah.context().close();

    // A newer version to staging, then one click back to the earlier one.
    await page.reload();
    await deploy(page, name, image('1.2.0'), image('1.1.0'));
    await page.getByRole('button', { name: 'Close' }).click();
    expect(liveImage(name, 'staging')).toBe(image('1.2.0'));
    // The 1.1.0 row of staging's history; production runs 1.1.0, so its row has none.
    await page
      .getByRole('button', { name: `Roll back to ${image('1.1.0')}` })
      .click();
    const rollback = page.getByRole('dialog', { name: 'Roll back staging' });
    await rollback
      .getByRole('button', { name: 'Roll back', exact: true })
      .click();
    await expect
      .poll(() => liveImage(name, 'staging'), { timeout: 60_000 })
      .toBe(image('1.1.0'));
    await expect(
      environmentCard(page, 'staging').getByText(image('1.1.0'), {
        exact: true,
      }),
    ).toBeVisible({
      timeout: 30_000,
    });

    await expect(
      rollback.getByText(`Deployed ${image('1.1.0')} to staging.`),
    ).toBeVisible({ timeout: 60_000 });
    await rollback.getByRole('button', { name: 'Close' }).click();

    // The audit trail says who did what: hannah-kim approved.
    const approvedRow = page
      .getByRole('row')
      .filter({ hasText: 'hannah-kim' })
      .filter({ hasText: 'approve' });
    await expect(approvedRow.first()).toBeVisible();
  });
});
