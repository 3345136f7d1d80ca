import { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { createServiceThroughApi } from './goldenPath';
import { kubernetesObject } from './platform';

/*
 * Real workloads, as a developer meets them: every service is built from its
 * repository by the platform's builder, runs on the real node and answers at
 * its URL (http://<service>.<namespace>.localhost:<gateway port>), which
 * Chromium resolves to loopback by itself.
 */

const gitRemote = `http://localhost:${process.env.PAVED_GIT_PORT ?? 28930}`;

/** The commit at the head of the service's main branch, as git sees it. */
const headOf = (name: string) =>
  execFileSync('git', ['ls-remote', `${gitRemote}/paved/${name}.git`, 'main'], {
    encoding: 'utf8',
  }).split(/\s/)[0];

/**
 * What the service says at its URL's /healthz, asked by the browser: Chromium
 * resolves `*.localhost` to loopback itself (Node's resolver may not).
 */
async function reportedVersion(page: Page, url: string) {
  const probe = await page.context().newPage();
  try {
    const response = await probe.goto(`${url}/healthz`).catch(() => null);
    if (!response?.ok()) return undefined;
    return JSON.parse((await probe.textContent('body')) ?? '{}')
      .version as string;
  } catch {
    return undefined;
  } finally {
    await probe.close();
  }
}

async function stagingUrl(page: Page, name: string) {
  await page.goto(`/catalog/default/component/${name}/environments`);
  const staging = page.getByTestId('environment-staging');
  const link = staging.getByRole('link', {
    name: new RegExp(`^http://${name}\\.${name}-staging\\.localhost:\\d+`),
  });
  await expect(link).toBeVisible({ timeout: 60_000 });
  return (await link.getAttribute('href'))!;
}

test.describe('real workloads', () => {
  test.setTimeout(600_000);

  for (const language of ['typescript', 'go', 'python'] as const) {
    test(`a ${language} service is built from its repository, runs, and answers at its URL with its commit`, async ({
      signedIn: page,
      request,
    }) => {
      const name = `${language.slice(0, 2)}-${randomBytes(3).toString('hex')}`;
      await createServiceThroughApi(request, name, language);
      const commit = headOf(name);
      expect(commit).toMatch(/^[0-9a-f]{40}$/);

      // The build is on the entity page, and what runs is what it built.
      await page.goto(`/catalog/default/component/${name}`);
      const builds = page.getByRole('table', { name: 'Builds' });
      await expect(
        builds.getByRole('row').filter({ hasText: commit.slice(0, 7) }),
      ).toContainText('succeeded');
      const pod = kubernetesObject('deployment', name, `${name}-staging`);
      expect(pod.spec.template.spec.containers[0].image).toBe(
        `registry.paved.local/${name}:${commit}`,
      );

      // Its URL answers with the commit it was built from, in the browser and on the card.
      const url = await stagingUrl(page, name);
      await expect
        .poll(() => reportedVersion(page, url), { timeout: 60_000 })
        .toBe(commit);
      await expect(
        page.getByTestId('environment-staging').getByTestId('reported-version'),
      ).toHaveText(commit);
    });
  }

  test('a push builds a new image, the Deploy dialog deploys it, and a release that cannot be pulled fails, rolls back and leaves the previous one serving', async ({
    signedIn: page,
    request,
  }) => {
    const name = `push-${randomBytes(3).toString('hex')}`;
    await createServiceThroughApi(request, name, 'typescript');
    const first = headOf(name);

    // The test's own git client pushes a change to main.
    const work = mkdtempSync(path.join(os.tmpdir(), 'paved-e2e-push-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: work, encoding: 'utf8' });
      git('clone', '--quiet', `${gitRemote}/paved/${name}.git`, '.');
      writeFileSync(
        path.join(work, 'CHANGELOG.md'),
        '# Changelog\n\n- A change pushed by the browser tests\n',
      );
      git('add', 'CHANGELOG.md');
      git(
        '-c',
        'user.name=Paved Tests',
        '-c',
        'user.email=tests@paved.example',
        'commit',
        '--quiet',
        '-m',
        'Add a changelog',
      );
      git('push', '--quiet', 'origin', 'main');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const second = headOf(name);
    expect(second).not.toBe(first);

    // The new build shows on the Builds card, and finishes.
    await page.goto(`/catalog/default/component/${name}`);
    const row = page
      .getByRole('table', { name: 'Builds' })
      .getByRole('row')
      .filter({ hasText: second.slice(0, 7) })
      // The build's own row; a running build's log opens in the row below it.
      .first();
    await expect(row).toContainText('Add a changelog', { timeout: 60_000 });
    await expect(row).toContainText('succeeded', { timeout: 180_000 });

    // Deploy it from the dialog: the newest build is the first choice.
    await page.reload();
    await page
      .getByRole('button', { name: 'Deploy', exact: true })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: `Deploy ${name}` });
    await dialog.getByLabel('Environment').selectOption('staging');
    await expect(dialog.getByLabel('Built image')).toContainText(
      second.slice(0, 7),
    );
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByRole('button', { name: 'Deploy to staging' }).click();
    await expect(
      dialog.getByText(
        `Deployed registry.paved.local/${name}:${second} to staging.`,
      ),
    ).toBeVisible({ timeout: 120_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    const url = await stagingUrl(page, name);
    await expect
      .poll(() => reportedVersion(page, url), { timeout: 60_000 })
      .toBe(second);

    // A tag that was never built: the deploy fails on the pull, Paved rolls
    // back by itself, and the URL keeps answering with the second commit.
    const missing = `registry.paved.local/${name}:never-built`;
    await page.goto(`/catalog/default/component/${name}`);
    await page
      .getByRole('button', { name: 'Deploy', exact: true })
      .first()
      .click();
    const again = page.getByRole('dialog', { name: `Deploy ${name}` });
    await again.getByLabel('Environment').selectOption('staging');
    await again
      .getByLabel('Built image')
      .selectOption({ label: 'Another image (enter a reference)' });
    await again
      .getByRole('textbox', { name: 'Image', exact: true })
      .fill(missing);
    await again.getByRole('button', { name: 'Next' }).click();
    await again.getByRole('button', { name: 'Deploy to staging' }).click();
    // The deploy was accepted once the dialog follows its rollout.
    await expect(
      again.getByRole('button', { name: 'Deploy to staging' }),
    ).toBeHidden({ timeout: 30_000 });
    await page.goto(`/catalog/default/component/${name}/environments`);
    /** The history row of an image, read again until it says `text`. */
    const historyRow = (filter: string) =>
      expect.poll(
        async () => {
          await page.reload();
          const rows = page.getByRole('row').filter({ hasText: filter });
          await rows
            .first()
            .waitFor({ timeout: 15_000 })
            .catch(() => null);
          return (await rows.allTextContents()).join(' | ');
        },
        { timeout: 180_000, intervals: [3_000] },
      );
    await historyRow(missing).toContain("Image can't be pulled");
    await historyRow('(automatic rollback)').toContain('succeeded');
    await expect
      .poll(() => reportedVersion(page, url), { timeout: 30_000 })
      .toBe(second);
    expect(
      kubernetesObject('deployment', name, `${name}-staging`).spec.template.spec
        .containers[0].image,
    ).toBe(`registry.paved.local/${name}:${second}`);
  });
});
