import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';

type Spec = {
  paths: Record<string, Record<string, any>>;
  components: Record<string, Record<string, any>>;
};

/** Ajv's errors, with the property an error is about (e.g. an additional one). */
const explain = (validate: ValidateFunction) =>
  (validate.errors ?? [])
    .map(e => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
    .join('; ');

const pointer = (...parts: string[]) =>
  parts.map(p => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * Checks real requests and responses against src/schema/openapi.yaml: the
 * route and status must be documented, and the JSON bodies must match their
 * schemas (field names, types, required fields; `additionalProperties:
 * false` catches a renamed optional field). Records what it checked, so a
 * test can require that every operation was seen.
 */
export class OpenApiValidator {
  readonly checked = new Set<string>();
  private readonly spec: Spec;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file = path.resolve(__dirname, '../openapi.yaml')) {
    this.spec = yaml.parse(readFileSync(file, 'utf8'));
    // OpenAPI 3.0 schemas: `nullable` is understood by Ajv; `example` and
    // the rest of the document's keywords are not schema keywords.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...this.spec, $id: 'openapi' });
  }

  /** The documented path template (e.g. `/builds/{id}/log`) of a request path. */
  route(method: string, requestPath: string): string {
    const pathname = requestPath.split('?')[0];
    const found = Object.keys(this.spec.paths).find(
      template =>
        new RegExp(
          `^${template.replace(/\{\w+\}/g, '[^/]+')}$`.replace(/\//g, '\\/'),
        ).test(pathname) && this.spec.paths[template][method.toLowerCase()],
    );
    if (!found) {
      throw new Error(
        `${method} ${pathname} is not in openapi.yaml (add it there)`,
      );
    }
    return found;
  }

  /**
   * What openapi.yaml finds wrong with a request body, or undefined when it
   * is valid. Tests compare it with the answer: a body the spec refuses
   * must be refused (400), and one the backend accepts must be valid.
   */
  requestProblems(
    method: string,
    requestPath: string,
    body: unknown,
  ): string | undefined {
    const route = this.route(method, requestPath);
    const operation = this.spec.paths[route][method.toLowerCase()];
    if (!operation.requestBody) {
      return body === undefined
        ? undefined
        : `${method} ${route} has a body, but openapi.yaml documents none`;
    }
    const validate = this.compile(
      pointer(
        'paths',
        route,
        method.toLowerCase(),
        'requestBody',
        'content',
        'application/json',
        'schema',
      ),
    );
    return validate(body) ? undefined : explain(validate);
  }

  validateResponse(
    method: string,
    requestPath: string,
    status: number,
    body: unknown,
  ) {
    const route = this.route(method, requestPath);
    const m = method.toLowerCase();
    const responses = this.spec.paths[route][m].responses ?? {};
    let response = responses[String(status)];
    if (!response) {
      throw new Error(
        `${method} ${route} answered ${status}, which openapi.yaml does not document (documented: ${Object.keys(
          responses,
        ).join(', ')})`,
      );
    }
    let location = pointer('paths', route, m, 'responses', String(status));
    if (response.$ref) {
      location = (response.$ref as string).slice(1);
      response = this.spec.components.responses[location.split('/').pop()!];
    }
    this.checked.add(`${method.toUpperCase()} ${route} ${status}`);
    if (!response.content) return;
    this.check(
      `${status} response of ${method} ${route}`,
      `${location}${pointer('content', 'application/json', 'schema')}`,
      body,
    );
  }

  private compile(schemaPointer: string): ValidateFunction {
    let validate = this.compiled.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#${schemaPointer}` });
      this.compiled.set(schemaPointer, validate);
    }
    return validate;
  }

  private check(what: string, schemaPointer: string, value: unknown) {
    const validate = this.compile(schemaPointer);
    if (!validate(value)) {
      throw new Error(
        `The ${what} does not match openapi.yaml: ${explain(
          validate,
        )}\n${JSON.stringify(value, null, 2).slice(0, 2000)}`,
      );
    }
  }
}
