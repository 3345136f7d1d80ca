import { InputError } from '@backstage/errors';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { RequestHandler } from 'express';

type Schema = Record<string, any>;
type Spec = {
  paths: Record<string, Record<string, any>>;
  components: Record<string, Record<string, any>>;
};

const pointer = (...parts: string[]) =>
  parts.map(p => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** `a.b.0.c` of Ajv's `/a/b/0/c`, with `name` appended. */
const fieldOf = (instancePath: string, name?: string) =>
  [...instancePath.split('/').slice(1), ...(name ? [name] : [])]
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.') || 'body';

/**
 * The keywords the services check themselves, with messages that name the
 * fix (e.g. `commit.sha: "abc12" is not a commit SHA; send 7 to 40
 * hexadecimal characters`): the spec documents them, the services enforce them.
 */
const LEFT_TO_THE_SERVICES = new Set(['pattern', 'format']);

/** One Ajv error in the words the router's 400s use: the field, then what to send. */
function describe(error: ErrorObject): string {
  const { keyword, params, instancePath, data } = error;
  const field = fieldOf(instancePath);
  const last = field.split('.').pop();
  switch (keyword) {
    case 'required': {
      const description = error.parentSchema?.properties?.[
        params.missingProperty
      ]?.['x-hint'] as string | undefined;
      return `${fieldOf(instancePath, params.missingProperty)}: Required${
        description ? `: ${description}` : ''
      }`;
    }
    case 'enum':
      return `${field}: unknown ${last} ${JSON.stringify(
        data,
      )}; send one of ${params.allowedValues.join(', ')}`;
    case 'additionalProperties':
      return `${fieldOf(
        instancePath,
        params.additionalProperty,
      )}: unknown field; the fields are ${Object.keys(
        error.parentSchema?.properties ?? {},
      ).join(', ')}`;
    case 'type':
      return `${field}: must be ${
        params.type === 'integer' ? 'a whole number' : `a ${params.type}`
      }`;
    case 'minLength':
      return `${field}: must not be empty`;
    default:
      return `${field}: ${error.message}`;
  }
}

/**
 * Validates every request against the spec (openapi.yaml, as the generated
 * module): the query (whole numbers made numbers, enums, no unknown
 * parameters) and the JSON body (required fields, types, enums, unknown
 * fields where the spec closes an object). Bad input is an InputError (400)
 * naming every wrong field; `null` in a body counts as absent, as CIs often
 * send it. The router's handlers then get what their types say.
 */
export function validateRequests(spec: Spec): RequestHandler {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    verbose: true,
  });
  ajv.addSchema({ ...spec, $id: 'openapi' });
  const compiled = new Map<string, ValidateFunction>();
  const compile = (at: string) => {
    let validate = compiled.get(at);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi#${at}` });
      compiled.set(at, validate);
    }
    return validate;
  };
  const routes = Object.keys(spec.paths).map(template => ({
    template,
    pattern: new RegExp(
      `^${template.replace(/\{\w+\}/g, '[^/]+').replace(/\//g, '\\/')}$`,
    ),
  }));
  const parameterOf = (p: Schema): Schema =>
    p.$ref ? spec.components.parameters[p.$ref.split('/').pop()!] : p;

  return (req, _res, next) => {
    const method = req.method.toLowerCase();
    const route = routes.find(
      r => r.pattern.test(req.path) && spec.paths[r.template][method],
    );
    if (!route) {
      next();
      return;
    }
    const operation = spec.paths[route.template][method];
    const problems: string[] = [];

    const query: Record<string, unknown> = {};
    const documented = (operation.parameters ?? [])
      .map(parameterOf)
      .filter((p: Schema) => p.in === 'query');
    for (const name of Object.keys(req.query)) {
      if (!documented.some((p: Schema) => p.name === name)) {
        problems.push(
          `${name}: unknown query parameter; send ${
            documented.map((p: Schema) => p.name).join(', ') || 'none'
          }`,
        );
      }
    }
    for (const parameter of documented) {
      const { name, schema = {} } = parameter;
      const raw = req.query[name];
      if (raw === undefined || raw === '') {
        if (parameter.required) {
          problems.push(
            `${name}: Required${
              schema.enum ? `; send one of ${schema.enum.join(', ')}` : ''
            }`,
          );
        }
        continue;
      }
      if (typeof raw !== 'string') {
        problems.push(`${name}: give it once`);
        continue;
      }
      if (schema.type === 'integer') {
        const range =
          schema.minimum !== undefined && schema.maximum !== undefined
            ? ` from ${schema.minimum} to ${schema.maximum}`
            : '';
        const value = Number(raw);
        if (
          !/^\d+$/.test(raw) ||
          (schema.minimum !== undefined && value < schema.minimum) ||
          (schema.maximum !== undefined && value > schema.maximum)
        ) {
          problems.push(`${name}: must be a whole number${range}`);
        } else if (schema.enum && !schema.enum.includes(value)) {
          problems.push(
            `${name}: ${value} is not allowed; send one of ${schema.enum.join(
              ', ',
            )}`,
          );
        } else query[name] = value;
      } else if (schema.enum && !schema.enum.includes(raw)) {
        problems.push(
          `${name}: unknown ${name} ${JSON.stringify(
            raw,
          )}; send one of ${schema.enum.join(', ')}`,
        );
      } else query[name] = raw;
    }

    const bodySchema = operation.requestBody?.content?.['application/json'];
    let body = req.body;
    if (bodySchema) {
      body = withoutNulls(req.body ?? {});
      const validate = compile(
        pointer(
          'paths',
          route.template,
          method,
          'requestBody',
          'content',
          'application/json',
          'schema',
        ),
      );
      if (!validate(body)) {
        problems.push(
          ...(validate.errors ?? [])
            .filter(e => !LEFT_TO_THE_SERVICES.has(e.keyword))
            .map(describe),
        );
      }
    }

    if (problems.length) {
      throw new InputError([...new Set(problems)].join('; '));
    }
    // Express 4's req.query is a plain property; the handlers get numbers.
    Object.defineProperty(req, 'query', { value: query, writable: true });
    req.body = body;
    next();
  };
}

/** The value with every `null` property dropped (absent, for optional fields). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}
