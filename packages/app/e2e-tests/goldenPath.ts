import { APIRequestContext } from '@playwright/test';
import { expect } from './fixtures';

/** The guest's bearer token (user:default/guest, a member of storefront-team). */
export async function guestHeaders(request: APIRequestContext) {
  const session = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(session.ok()).toBe(true);
  return {
    Authorization: `Bearer ${(await session.json()).backstageIdentity.token}`,
  };
}

/**
 * A golden-path service made through the scaffolder API as the guest (owner
 * storefront-team, no database unless asked), run to its end: for tests of what comes after
 * Create Service; its browser flow has its own test. Returns the guest's headers
 * and the scaffolder task's id.
 */
export async function createServiceThroughApi(
  request: APIRequestContext,
  name: string,
  language: 'typescript' | 'go' | 'python',
  database: 'none' | 'postgres' = 'none',
) {
  const headers = await guestHeaders(request);
  const task = await request.post('/api/scaffolder/v2/tasks', {
    headers,
    data: {
      templateRef: 'template:default/create-service',
      values: {
        name,
        owner: 'group:default/storefront-team',
        description: `A ${language} service of the browser tests`,
        language,
        database,
        tier: 'experimental',
      },
    },
  });
  expect(task.status()).toBe(201);
  const { id } = await task.json();
  // Until it ends: a failed task fails the test at once, with the step's error.
  let status = '';
  await expect
    .poll(
      async () =>
        (status = (
          await (
            await request.get(`/api/scaffolder/v2/tasks/${id}`, { headers })
          ).json()
        ).status),
      { timeout: 300_000, intervals: [1_000] },
    )
    .toMatch(/^(completed|failed|cancelled)$/);
  if (status !== 'completed') {
    const events = await (
      await request.get(`/api/scaffolder/v2/tasks/${id}/events`, { headers })
    ).json();
    const errors = events
      .filter((e: any) => e.body?.error)
      .map((e: any) => e.body.error.message ?? JSON.stringify(e.body.error));
    throw new Error(
      `Create Service (task ${id}) ${status}: ${errors.join('; ')}`,
    );
  }
  return { headers, taskId: id as string };
}
