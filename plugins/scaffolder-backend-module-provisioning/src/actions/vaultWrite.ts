import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from '@paved/plugin-scaffolder-node';
import { VaultClient } from '@paved/plugin-provisioning-node';
import { randomBytes } from 'node:crypto';
import { examples } from './vaultWrite.examples';

export const VAULT_WRITE_ACTION_ID = 'paved:vault:write';

const VAULT_PATH = /^[a-z0-9][a-z0-9_/-]*[a-z0-9]$/;

/** A random credential of `length` URL-safe characters. */
function generateCredential(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** Read access to one KV v2 path and everything below it. */
export function readPolicy(mount: string, path: string): string {
  return [
    `path "${mount}/data/${path}" { capabilities = ["read"] }`,
    `path "${mount}/data/${path}/*" { capabilities = ["read"] }`,
    `path "${mount}/metadata/${path}" { capabilities = ["read", "list"] }`,
    `path "${mount}/metadata/${path}/*" { capabilities = ["read", "list"] }`,
    '',
  ].join('\n');
}

/**
 * Writes a service's generated credentials to a KV v2 secret and a policy
 * that can read the service's secrets. Generated values are kept on re-run,
 * so running it again never rotates a credential a service already uses.
 * Values never reach the task log or the outputs.
 */
export function createVaultWriteAction(options: { vault: VaultClient }) {
  const { vault } = options;
  const action = createTemplateAction({
    id: VAULT_WRITE_ACTION_ID,
    description:
      "Writes generated credentials for a service to Vault (KV v2), keeping existing ones, and a policy that reads the service's secrets.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string()
            .regex(VAULT_PATH, {
              message:
                'path is a KV path such as "services/orders-api/app": lowercase letters, digits, "-", "_" and "/"',
            })
            .describe(
              'Secret path below the mount, e.g. services/orders-api/app',
            ),
        mount: z => z.string().default('secret').describe('KV v2 mount'),
        generate: z =>
          z
            .record(
              z.object({
                length: z.number().int().min(16).max(128).default(32),
              }),
            )
            .default({})
            .describe(
              'Keys to fill with random credentials when missing, e.g. {SESSION_SECRET: {length: 48}}',
            ),
        values: z =>
          z
            .record(z.string())
            .default({})
            .describe('Non-secret values to write as given (e.g. a client id)'),
        readPolicy: z =>
          z
            .object({
              name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
                message: 'readPolicy.name is lowercase letters, digits and "-"',
              }),
              path: z.string().regex(VAULT_PATH, {
                message:
                  'readPolicy.path is a KV path such as "services/orders-api"',
              }),
            })
            .optional()
            .describe(
              'A policy granting read on this path and everything below it',
            ),
      },
      output: {
        path: z => z.string().describe('mount/path of the secret'),
        version: z =>
          z.number().optional().describe('KV version after the write'),
        policy: z => z.string().optional().describe('Name of the read policy'),
      },
    },
    async handler(ctx) {
      const { path, readPolicy: policy, mount, generate, values } = ctx.input;
      const kv = vault.kv(mount, 2);
      const existing = await kv.read(path);
      const current = existing?.data ?? {};

      const generated = Object.keys(generate).filter(key => !(key in current));
      const kept = Object.keys(generate).filter(key => key in current);
      const changedValues = Object.keys(values).filter(
        key => current[key] !== values[key],
      );
      const describeChange = [
        generated.length ? `generate ${generated.join(', ')}` : '',
        kept.length ? `keep existing ${kept.join(', ')}` : '',
        changedValues.length ? `set ${changedValues.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: ${mount}/${path}: ${describeChange || 'nothing to change'}${
            policy
              ? `; would write policy ${policy.name} (read ${mount}/${policy.path}/*)`
              : ''
          }`,
        );
        ctx.output('path', `${mount}/${path}`);
        ctx.output('version', existing?.version);
        ctx.output('policy', policy?.name);
        return;
      }

      let version = existing?.version;
      if (generated.length || changedValues.length) {
        const data = { ...current, ...values };
        for (const key of generated) {
          data[key] = generateCredential(generate[key].length);
        }
        ({ version } = await kv.write(path, data));
        ctx.logger.info(
          `Wrote ${mount}/${path} (version ${version}): ${describeChange}`,
        );
      } else {
        ctx.logger.info(
          `${mount}/${path} is up to date (version ${version})${
            kept.length ? `; kept ${kept.join(', ')}` : ''
          }`,
        );
      }
      if (policy) {
        await vault.writePolicy(policy.name, readPolicy(mount, policy.path));
        ctx.logger.info(
          `Wrote policy ${policy.name}: read ${mount}/${policy.path} and below`,
        );
      }
      ctx.output('path', `${mount}/${path}`);
      ctx.output('version', version);
      ctx.output('policy', policy?.name);
    },
  });
  return withInputDefaults(action);
}
