// Writes schemas/*.json: the JSON Schema (draft-07) of each command's --json
// output, built from the deployments API's contract (openapi.yaml's
// components), so the CLI's shapes move with the API's and tests validate
// real output against them. Run by `yarn build`; the files are committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import prettier from 'prettier';
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
const ref = name => ({ $ref: `#/definitions/${name}` });
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
mkdirSync(dir, { recursive: true });
const options = {
  ...(await prettier.resolveConfig(
    new URL('../package.json', import.meta.url).pathname,
  )),
  parser: 'json',
};
for (const [name, schema] of Object.entries(outputs)) {
  const file = new URL(`${name}.json`, dir);
  writeFileSync(
    file,
    prettier.format(
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: `https://paved.dev/cli/schemas/${name}.json`,
        title: `paved ${name.replace('-', ' ')} --json`,
        ...schema,
        definitions,
      }),
      options,
    ),
  );
}
