import { randomBytes } from 'node:crypto';
import { expect, signInAs, test } from './fixtures';
import { createServiceThroughApi } from './goldenPath';
import { kubernetesObject } from './platform';

/*
 * Issue 15 end to end: a production deploy through the approval flow, rated 1
 * by the guest who asked for it; the platform team is notified; the Insights
 * page counts the deploy and drills its lead time down to the commit.
 */
const liveImage = (name: string, environment: string) =>
  kubernetesObject('deployment', name, `${name}-${environment}`)?.spec.template
    .spec.containers[0].image;

test.describe('insights and feedback', () => {
  test.setTimeout(480_000);

  test('a production deploy rated 1 reaches the platform team, and Insights counts it down to its commit', async ({
    signedIn: page,
    browser,
    request,
  }) => {
    const name = `insights-${randomBytes(3).toString('hex')}`;
    const entityRef = `component:default/${name}`;
    await createServiceThroughApi(request, name, 'go');
    // Create Service built the image (a build record with its commit) and runs it in staging.
    const built = liveImage(name, 'staging') as string;
    const commit = built.split(':').pop()!;

    // The guest promotes to production; hannah-kim (storefront-team) approves.
    await page.goto(`/catalog/default/component/${name}/environments`);
    await page
      .getByTestId('environment-staging')
      .getByRole('button', { name: 'Promote to production' })
      .click();
    const promote = page.getByRole('dialog', { name: 'Promote to production' });
    await promote.getByRole('button', { name: 'Promote', exact: true }).click();
    await expect(promote.getByText(/Approval pending/)).toBeVisible();
    await promote.getByRole('button', { name: 'Close' }).click();
    // Not asked before there is a production deploy of theirs.
    await expect(
      page.getByRole('region', { name: /How was this deploy/ }),
    ).toHaveCount(0);

    const hannah = await (await browser.newContext()).newPage();
    await signInAs(hannah, 'hannah-kim');
    await hannah.goto(`/catalog/default/component/${name}/environments`);
    await hannah
      .getByRole('list', { name: 'Pending approvals for production' })
      .getByRole('button', { name: 'Approve' })
      .click();
    await hannah
      .getByRole('dialog', { name: 'Approve promotion to production' })
      .getByRole('button', { name: 'Approve and deploy' })
      .click();
    await expect
      .poll(() => liveImage(name, 'production'), { timeout: 90_000 })
      .toBe(built);
    // The approver did not request the deploy: no prompt for them.
    await expect(
      hannah.getByTestId('environment-production').getByText(built, {
        exact: true,
      }),
    ).toBeVisible({ timeout: 90_000 });
    await expect(
      hannah.getByRole('region', { name: /How was this deploy/ }),
    ).toHaveCount(0);
    await hannah.context().close();

    // A platform-team member has the app open: the bell counts their unread
    // notifications (the approval request above was one of them).
    const priya = await (await browser.newContext()).newPage();
    await signInAs(priya, 'priya-raman');
    const bell = priya.getByLabel('Unread notifications');
    await expect(bell).toHaveText(/^\d+$/, { timeout: 30_000 });
    const unread = Number(await bell.textContent());

    // The requester is asked once, never blocked: rate 1 with a comment.
    await page.reload();
    const prompt = page.getByRole('region', { name: /How was this deploy/ });
    await expect(prompt).toBeVisible({ timeout: 90_000 });
    await prompt.getByRole('button', { name: 'Rate 1 of 5' }).click();
    await prompt
      .getByLabel('Comment (optional)')
      .fill('the approval took long');
    await prompt.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('Thank you for your feedback.')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('environment-production')).toBeVisible();
    await expect(
      page.getByRole('region', { name: /How was this deploy/ }),
    ).toHaveCount(0);

    // The platform team is told: the open page's bell counts one more without
    // a reload (signals), and the notifications page has the rating's context.
    await expect(bell).toHaveText(String(unread + 1), { timeout: 30_000 });
    await priya
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: /Notifications/ })
      .click();
    const notification = priya
      .getByRole('row')
      .filter({ hasText: `Rated 1/5: production-deploy of ${entityRef}` });
    await expect(notification).toHaveCount(1);
    // The comment comes first: the page shows a description's first 100 characters.
    await expect(notification).toContainText(
      '"the approval took long": user:default/guest rated production-deploy (deployment ',
    );

    // Insights: the deploy counted for the service, its lead time down to the commit.
    await priya.goto('/insights');
    await expect(
      priya.getByRole('heading', { name: 'Insights' }).first(),
    ).toBeVisible();
    await priya.getByLabel('Scope').click();
    await priya.getByRole('option', { name: 'Per service' }).click();
    const service = priya.getByRole('group', { name: entityRef });
    const frequency = service.getByRole('region', {
      name: 'Deployment frequency',
    });
    // One production deploy in 30 days: 1, i.e. 0.2 per week.
    await expect(frequency.getByText('1 (0.2 per week)')).toBeVisible({
      timeout: 30_000,
    });
    const lead = service.getByRole('region', { name: 'Change lead time' });
    await lead.getByRole('button', { name: /Show deployments/ }).click();
    const counted = lead.getByRole('list', { name: 'Counted deployments' });
    // The one deploy counted, with the commit Create Service built it from.
    await expect(counted.getByRole('listitem')).toHaveCount(1);
    await expect(counted.getByRole('listitem')).toContainText(built);
    await expect(counted.getByRole('listitem')).toContainText(
      `commit ${commit.slice(0, 12)} of `,
    );
    // The platform team also sees the rating in the feedback list.
    await expect(priya.getByText('the approval took long')).toBeVisible();
    await priya.context().close();

    // The guest (not in the platform team) sees no feedback list.
    await page.goto('/insights');
    await expect(
      page.getByText(
        'Developer feedback is visible to the platform team only.',
      ),
    ).toBeVisible();
  });
});
