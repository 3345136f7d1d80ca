/*
 * openapi.yaml → the TypeScript that every side of the deployments API uses
 * (docs/decisions/0014):
 *
 *   plugins/deployments-backend/src/schema/openapi/generated/router.ts
 *     the spec as a module, for the router's request validation and types
 *   plugins/deployments-common/src/schema/openapi/generated/index.ts
 *     a type per schema, and per operation its method, path, parameters,
 *     body and answer: the backend's services, the frontend client, the
 *     scaffolder module's client and the demo seeder take their types here
 *
 *   node plugins/deployments-backend/scripts/generate-openapi.ts           # write
 *   node plugins/deployments-backend/scripts/generate-openapi.ts --check   # compare
 *
 * (Node 22 strips the types.) `openapi.test.ts` fails when a file is not what
 * this writes from the current openapi.yaml. Backstage's own generator
 * (`backstage-repo-tools package schema openapi generate`) is not used: its
 * client part needs Java and the openapi-generator jar (see 0014).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// @ts-expect-error prettier 2 ships no types; format() is all this uses
import prettier from 'prettier';
import yaml from 'yaml';

type Schema = Record<string, any>;

// Relative to the repository's root. (This file runs as an ES module under
// Node and as CommonJS under Jest: it uses neither __dirname nor import.meta.)
const SPEC_FILE = 'plugins/deployments-backend/src/schema/openapi.yaml';
const ROUTER_FILE =
  'plugins/deployments-backend/src/schema/openapi/generated/router.ts';
const TYPES_FILE =
  'plugins/deployments-common/src/schema/openapi/generated/index.ts';

const HEADER = `// Generated from plugins/deployments-backend/src/schema/openapi.yaml by
// plugins/deployments-backend/scripts/generate-openapi.ts: do not edit. Change the
// YAML and run \`node plugins/deployments-backend/scripts/generate-openapi.ts\`.
/* eslint-disable */
`;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

const refName = (ref: string) => ref.split('/').pop()!;

const doc = (text: string | undefined, indent = '') =>
  text
    ? `${indent}/** ${String(text)
        .trim()
        .replace(/\*\//g, '*\\/')
        .replace(/\n/g, `\n${indent} * `)} */\n`
    : '';

const key = (name: string) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);

/** A JSON schema (OpenAPI 3.0's subset) as a TypeScript type. */
function typeOf(schema: Schema, indent = ''): string {
  let type: string;
  if (schema.$ref) type = refName(schema.$ref);
  else if (schema.oneOf || schema.anyOf)
    type = (schema.oneOf ?? schema.anyOf)
      .map((s: Schema) => typeOf(s, indent))
      .join(' | ');
  else if (schema.allOf)
    type = schema.allOf.map((s: Schema) => typeOf(s, indent)).join(' & ');
  else if (schema.enum)
    type = schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  else if (schema.type === 'string') type = 'string';
  else if (schema.type === 'integer' || schema.type === 'number')
    type = 'number';
  else if (schema.type === 'boolean') type = 'boolean';
  else if (schema.type === 'array')
    type = `Array<${typeOf(schema.items ?? {}, indent)}>`;
  else if (schema.type === 'object' || schema.properties)
    type = objectType(schema, indent);
  else type = 'unknown';
  return schema.nullable ? `${type} | null` : type;
}

function objectType(schema: Schema, indent: string): string {
  const required = new Set<string>(schema.required ?? []);
  const inner = `${indent}  `;
  const fields = Object.entries(
    (schema.properties ?? {}) as Record<string, Schema>,
  ).map(
    ([name, property]) =>
      `${doc(property.description, inner)}${inner}${key(name)}${
        required.has(name) ? '' : '?'
      }: ${typeOf(property, inner)};\n`,
  );
  if (schema.additionalProperties && schema.additionalProperties !== true)
    fields.push(
      `${inner}[key: string]: ${typeOf(schema.additionalProperties, inner)};\n`,
    );
  return `{\n${fields.join('')}${indent}}`;
}

/** The generated files' text, from openapi.yaml's text. */
export function generate(specText: string): Record<string, string> {
  const spec = yaml.parse(specText);
  const parameterOf = (p: Schema): Schema =>
    p.$ref ? spec.components.parameters[refName(p.$ref)] : p;
  const responseOf = (r: Schema): Schema =>
    r.$ref ? spec.components.responses[refName(r.$ref)] : r;

  const schemas = Object.entries(
    spec.components.schemas as Record<string, Schema>,
  ).map(([name, schema]) => {
    const body = typeOf({ ...schema, description: undefined });
    return `${doc(schema.description)}${
      !schema.oneOf && !schema.allOf && !schema.nullable && body.startsWith('{')
        ? `export interface ${name} ${body}`
        : `export type ${name} = ${body};`
    }\n`;
  });

  const operations: string[] = [];
  const endpoints: string[] = [];
  const routes: string[] = [];
  for (const [route, item] of Object.entries(
    spec.paths as Record<string, Schema>,
  )) {
    for (const method of METHODS.filter(m => item[m])) {
      const op = item[method];
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(
        parameterOf,
      );
      const group = (where: string) => {
        const ps = params.filter(p => p.in === where);
        return ps.length
          ? objectType(
              {
                required: ps.filter(p => p.required).map(p => p.name),
                properties: Object.fromEntries(
                  ps.map(p => [
                    p.name,
                    { ...p.schema, description: p.description },
                  ]),
                ),
              },
              '    ',
            )
          : undefined;
      };
      const body = op.requestBody?.content?.['application/json']?.schema;
      const answers = Object.entries(op.responses as Record<string, Schema>)
        .filter(([status]) => status.startsWith('2'))
        .map(([status, r]) => ({
          status: Number(status),
          schema: responseOf(r).content?.['application/json']?.schema,
        }));
      const answer = [
        ...new Set(
          answers.map(a => (a.schema ? typeOf(a.schema, '    ') : 'void')),
        ),
      ].join(' | ');
      const parts = [
        `    method: '${method.toUpperCase()}';\n`,
        `    path: '${route}';\n`,
        `    status: ${answers.map(a => a.status).join(' | ')};\n`,
      ];
      const pathParams = group('path');
      const query = group('query');
      if (pathParams) parts.push(`    params: ${pathParams};\n`);
      if (query) parts.push(`    query: ${query};\n`);
      if (body) parts.push(`    body: ${typeOf(body, '    ')};\n`);
      parts.push(`    response: ${answer};\n`);
      operations.push(
        `${doc(op.summary, '  ')}  ${op.operationId}: {\n${parts.join(
          '',
        )}  };\n`,
      );
      // backend-openapi-utils' EndpointMap, keyed `#<method>|<path>`.
      endpoints.push(
        `  '#${method}|${route}': {\n${[
          pathParams &&
            `    path: Operations['${op.operationId}']['params'];\n`,
          query && `    query: Operations['${op.operationId}']['query'];\n`,
          body && `    body: Operations['${op.operationId}']['body'];\n`,
          `    response: Operations['${op.operationId}']['response'];\n`,
        ]
          .filter(Boolean)
          .join('')}  };\n`,
      );
      routes.push(
        `  ${
          op.operationId
        }: { method: '${method.toUpperCase()}', path: '${route}' },\n`,
      );
    }
  }

  const types = `${HEADER}
// The schemas (components.schemas).
${schemas.join('\n')}
/** Every operation, by operationId: what it takes and what it answers (2xx). */
export interface Operations {
${operations.join('')}}

export type OperationId = keyof Operations;

/** Each operation's method and path template, e.g. \`/builds/{id}\`. */
export const OPERATIONS: {
  [K in OperationId]: Pick<Operations[K], 'method' | 'path'>;
} = {
${routes.join('')}};

/** The operations as backend-openapi-utils' \`EndpointMap\` (for the typed router). */
export type EndpointMap = {
${endpoints.join('')}};
`;

  const router = `${HEADER}
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { EndpointMap } from '@paved/plugin-deployments-common';

/** openapi.yaml, as JSON. */
export const spec = ${JSON.stringify(spec, null, 2)} as const;

/** An express router typed by the spec's operations (see backend-openapi-utils). */
export const createOpenApiRouter = async (
  options?: Parameters<
    typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
  >['1'],
) =>
  createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
    spec as any,
    options,
  );
`;
  // @backstage/cli/config/prettier.json, the repo's prettier config.
  const format = (text: string) =>
    prettier.format(text, {
      singleQuote: true,
      trailingComma: 'all',
      arrowParens: 'avoid',
      parser: 'typescript',
    });
  return { [TYPES_FILE]: format(types), [ROUTER_FILE]: format(router) };
}

/** The generated files (relative to `root`) that differ from what openapi.yaml makes now. */
export function stale(root: string): string[] {
  const files = generate(readFileSync(path.join(root, SPEC_FILE), 'utf8'));
  return Object.entries(files)
    .filter(([file, text]) => {
      try {
        return readFileSync(path.join(root, file), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([file]) => file);
}

const script = process.argv[1] ?? '';
if (script.endsWith(path.join('scripts', 'generate-openapi.ts'))) {
  const root = path.resolve(path.dirname(script), '../../..');
  if (process.argv.includes('--check')) {
    const files = stale(root);
    if (files.length) {
      console.error(
        `Not what openapi.yaml makes: ${files.join(
          ', ',
        )}. Run: node plugins/deployments-backend/scripts/generate-openapi.ts`,
      );
      process.exit(1);
    }
  } else {
    const files = generate(readFileSync(path.join(root, SPEC_FILE), 'utf8'));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
      console.log(`wrote ${file}`);
    }
  }
}
