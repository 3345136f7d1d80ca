import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import authModuleLocalUserProvider, { LOCAL_USER_HEADER } from '.';

// The provider in the real auth backend, resolving users in the real catalog.

const catalogYaml = `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: priya-raman }
spec: { memberOf: [platform-team] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: platform-team }
spec: { type: team, children: [] }
`;

// A whole test backend (auth, catalog): more than Jest's 5 s on a busy machine.
jest.setTimeout(60_000);

describe('localUser sign-in', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paved-local-user-'));
    await writeFile(path.join(dir, 'org.yaml'), catalogYaml);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('signs in as the catalog user the header names, with their groups, and refuses anyone else', async () => {
    const backend = await startTestBackend({
      features: [
        authPlugin,
        authModuleLocalUserProvider,
        catalogPlugin,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              providers: {
                localUser: { dangerouslyAllowOutsideDevelopment: true },
              },
            },
            catalog: {
              rules: [{ allow: ['User', 'Group'] }],
              locations: [{ type: 'file', target: path.join(dir, 'org.yaml') }],
            },
          },
        }),
      ],
    });
    const refresh = (user?: string) =>
      fetch(
        `http://localhost:${backend.server.port()}/api/auth/localUser/refresh`,
        {
          headers: {
            'X-Requested-With': 'XMLHttpRequest',
            ...(user === undefined ? {} : { [LOCAL_USER_HEADER]: user }),
          },
        },
      );
    try {
      // The catalog needs a moment to process the user.
      let response = await refresh('priya-raman');
      for (let attempt = 0; !response.ok && attempt < 100; attempt++) {
        await new Promise(resolve => setTimeout(resolve, 200));
        response = await refresh('priya-raman');
      }
      expect(response.status).toBe(200);
      const session = await response.json();
      expect(session.backstageIdentity.identity).toEqual({
        type: 'user',
        userEntityRef: 'user:default/priya-raman',
        ownershipEntityRefs: expect.arrayContaining([
          'user:default/priya-raman',
          'group:default/platform-team',
        ]),
      });
      expect(session.backstageIdentity.token).toEqual(expect.any(String));

      const missing = await refresh();
      expect(missing.status).toBe(400);
      expect((await missing.json()).error.message).toContain(
        `${LOCAL_USER_HEADER}: name the User of the catalog to sign in as`,
      );
      const stranger = await refresh('mallory');
      expect(stranger.status).toBe(404);
      expect((await stranger.json()).error.message).toContain(
        'there is no user:default/mallory in the catalog',
      );
    } finally {
      await backend.stop();
    }
  });
});
