import { mockActionContext } from './testUtils';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { withInputDefaults } from './withInputDefaults';

describe('withInputDefaults', () => {
  const seen: unknown[] = [];
  const action = withInputDefaults(
    createTemplateAction({
      id: 'test:defaults',
      schema: {
        input: {
          name: z => z.string(),
          timeoutSeconds: z => z.number().int().default(600),
          wait: z => z.boolean().default(true),
          labels: z => z.record(z.string()).default({}),
          generate: z =>
            z.record(z.object({ length: z.number().default(32) })).default({}),
          vault: z =>
            z
              .object({
                path: z.string(),
                mount: z.string().default('secret'),
              })
              .optional(),
        },
      },
      async handler(ctx) {
        seen.push(ctx.input);
      },
    }),
  );

  beforeEach(() => {
    seen.length = 0;
  });

  it('declares the defaults in the JSON schema the scaffolder shows and validates with', () => {
    const properties = (action.schema?.input as any).properties;
    expect(properties.timeoutSeconds.default).toBe(600);
    expect(properties.vault.properties.mount.default).toBe('secret');
    expect((action.schema?.input as any).required).toEqual(['name']);
  });

  it('fills in every missing value, nested ones too, and keeps what was given', async () => {
    await action.handler(
      mockActionContext({
        input: {
          name: 'a',
          vault: { path: 'services/a' },
          generate: { A: {}, B: { length: 16 } },
        } as any,
      }),
    );
    await action.handler(
      mockActionContext({
        input: {
          name: 'b',
          timeoutSeconds: 5,
          wait: false,
          labels: { x: 'y' },
          vault: { path: 'p', mount: 'kv' },
          generate: {},
        },
      }),
    );
    expect(seen).toEqual([
      {
        name: 'a',
        timeoutSeconds: 600,
        wait: true,
        labels: {},
        vault: { path: 'services/a', mount: 'secret' },
        generate: { A: { length: 32 }, B: { length: 16 } },
      },
      {
        name: 'b',
        timeoutSeconds: 5,
        wait: false,
        labels: { x: 'y' },
        vault: { path: 'p', mount: 'kv' },
        generate: {},
      },
    ]);
  });

  it('leaves an optional object without a default out, and never shares a default object between runs', async () => {
    await action.handler(mockActionContext({ input: { name: 'c' } as any }));
    await action.handler(mockActionContext({ input: { name: 'd' } as any }));
    const [c, d] = seen as any[];
    expect(c).not.toHaveProperty('vault');
    expect(c.labels).not.toBe(d.labels);
  });
});
