import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { kubernetesObject, vaultSecret } from './platform';

/** Every file of a directory, by relative path, base64-encoded. */
function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, {
    recursive: true,
    withFileTypes: true,
  })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, file)] = readFileSync(file).toString('base64');
  }
  return files;
}

test.describe('Template editor', () => {
  test('dry-runs Create Service from the local template directory: shows the plan and the diff, creates nothing', async ({
    signedIn: page,
  }) => {
    test.setTimeout(180_000);
    // The editor opens a local directory through the File System Access API, whose
    // native picker a headless browser cannot drive. Hand it a real directory handle
    // instead: the repo's template directory, copied into the origin-private file system.
    await page.addInitScript((files: Record<string, string>) => {
      (window as any).showDirectoryPicker = async () => {
        const root = await navigator.storage.getDirectory();
        const dir = await root.getDirectoryHandle('create-service', {
          create: true,
        });
        for (const [filePath, base64] of Object.entries(files)) {
          const parts = filePath.split('/');
          let parent = dir;
          for (const name of parts.slice(0, -1)) {
            parent = await parent.getDirectoryHandle(name, { create: true });
          }
          const file = await parent.getFileHandle(parts[parts.length - 1], {
            create: true,
          });
          const writable = await file.createWritable();
          await writable.write(
            Uint8Array.from(atob(base64), c => c.charCodeAt(0)),
          );
          await writable.close();
        }
        return dir;
      };
    }, filesOf(path.resolve('templates/create-service')));

    const name = `rehearsal-${Date.now().toString(36)}`;
    await page.goto('/create/edit');
    await page.getByText('Load Template Directory').click();

    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('textbox', { name: 'Owner' }).click();
    await page.getByRole('option', { name: /Storefront Team/ }).click();
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('Only a rehearsal of the golden path');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: /^Database/ }).click();
    await page.getByRole('option', { name: 'PostgreSQL' }).click();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    // The dry run's result: the rendered files, and each step's log (pick the step on
    // the left): the OpenTofu plan, and the apiserver's dry run as a diff.
    await expect(page.getByText('Result 1')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByText('catalog-info.yaml').last()).toBeVisible();
    await page.getByRole('tab', { name: 'Log' }).click();
    // The log view is virtualized: its search box scrolls to a line.
    const search = page.getByRole('textbox').last();
    const stepLog = async (step: string, line: string | RegExp) => {
      await page.getByText(step, { exact: true }).click();
      await search.fill(
        typeof line === 'string' ? line : line.source.slice(0, 12),
      );
      await expect(page.getByText(line).first()).toBeVisible();
    };
    await stepLog(
      'Namespaces, quota and RBAC',
      'to add, 0 to change, 0 to destroy',
    );
    await stepLog('PostgreSQL database', 'create postgresql_database.');
    await stepLog(
      'Kubernetes objects in staging',
      `Dry run: namespace ${name}-staging does not exist yet; the apiserver validates its objects in namespace default`,
    );
    await stepLog(
      'Kubernetes objects in staging',
      `+ spec.template.spec.containers[0].image: "registry.paved.local/${name}:dry-run"`,
    );

    await stepLog(
      'First deployment to staging',
      `Dry run: would deploy registry.paved.local/${name}:dry-run`,
    );

    // Nothing was created.
    expect(kubernetesObject('namespace', `${name}-staging`)).toBeUndefined();
    await expect(vaultSecret(`services/${name}/app`)).rejects.toThrow(/404/);
  });
});
