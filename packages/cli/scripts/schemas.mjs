// Writes schemas/*.json: the JSON Schema (draft-07) of each command's --json
// output, built from the deployments API's contract (openapi.yaml's
// components), so the CLI's shapes move with the API's and tests validate
// real output against them. The components are written once, to
// schemas/definitions.json; each command's file refers into it
// (`definitions.json#/definitions/Deployment`, resolved against its $id).
// Run by `yarn build`; the files are committed. `--check` writes nothing and
// exits 1 naming the files that differ from openapi.yaml (schemas.test.ts).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';

const spec = parse(
  readFileSync(
    new URL(
      '../../../plugins/deployments-backend/src/schema/openapi.yaml',
      import.meta.url,
    ),
    'utf8',
  ),
);
const definitions = JSON.parse(
  JSON.stringify(spec.components.schemas).replaceAll(
    '#/components/schemas/',
    '#/definitions/',
  ),
);
const ref = name => ({ $ref: `definitions.json#/definitions/${name}` });
const object = (properties, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
});
const page = item =>
  object(
    {
      items: { type: 'array', items: ref(item) },
      nextCursor: { type: 'string' },
    },
    ['items'],
  );

const outputs = {
  status: object({
    service: { type: 'string' },
    environments: { type: 'array', items: ref('EnvironmentStatus') },
    pendingApprovals: { type: 'array', items: ref('ApprovalRequest') },
  }),
  deploy: object({ deployment: ref('Deployment') }),
  'deploy-promote': {
    oneOf: [
      object({ type: { const: 'approval' }, approval: ref('ApprovalRequest') }),
      object({ type: { const: 'deployment' }, deployment: ref('Deployment') }),
    ],
  },
  approve: object({
    approval: ref('ApprovalRequest'),
    deployment: ref('Deployment'),
  }),
  reject: object({ approval: ref('ApprovalRequest') }),
  history: page('Deployment'),
  builds: page('Build'),
  logs: ref('LogLine'),
  'secrets-list': ref('SecretList'),
  'secrets-change': ref('SecretChangeResult'),
  whoami: object(
    {
      user: { type: 'string' },
      portal: { type: 'string' },
      source: { enum: ['PAVED_TOKEN', 'paved login'] },
      expiresAt: { type: 'string' },
    },
    ['user', 'portal', 'source'],
  ),
  interrupted: object({
    interrupted: { const: true },
    deployment: ref('Deployment'),
  }),
  error: object({
    error: object(
      {
        name: { type: 'string' },
        message: { type: 'string' },
        exitCode: { enum: [1, 2, 3, 4] },
        suggestion: { type: 'string' },
      },
      ['name', 'message', 'exitCode'],
    ),
  }),
};

const dir = new URL('../schemas/', import.meta.url);
const BASE = 'https://paved.dev/cli/schemas/';
const files = {
  'definitions.json': {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}definitions.json`,
    title:
      "The deployments API's components (openapi.yaml), for the --json schemas",
    definitions,
  },
};
for (const [name, schema] of Object.entries(outputs)) {
  files[`${name}.json`] = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}${name}.json`,
    title: `paved ${name.replace('-', ' ')} --json`,
    ...schema,
  };
}
if (process.argv.includes('--check')) {
  const present = readdirSync(dir).filter(f => f.endsWith('.json'));
  const stale = [
    ...Object.keys(files).filter(file => {
      try {
        // Compared as JSON (formatting is prettier's check): no prettier to load.
        const committed = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
        return !isDeepStrictEqual(
          committed,
          JSON.parse(JSON.stringify(files[file])),
        );
      } catch {
        return true;
      }
    }),
    ...present.filter(file => !(file in files)),
  ];
  if (stale.length) {
    process.stderr.write(
      `packages/cli/schemas is stale relative to openapi.yaml: ${stale.join(
        ', ',
      )}; run: node packages/cli/scripts/schemas.mjs\n`,
    );
    process.exit(1);
  }
} else {
  const { default: prettier } = await import('prettier');
  const options = {
    ...(await prettier.resolveConfig(
      new URL('../package.json', import.meta.url).pathname,
    )),
    parser: 'json',
  };
  mkdirSync(dir, { recursive: true });
  for (const [file, schema] of Object.entries(files)) {
    writeFileSync(
      new URL(file, dir),
      await prettier.format(JSON.stringify(schema), options),
    );
  }
}
