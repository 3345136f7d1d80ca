import type { JsonObject } from '@backstage/types';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';

type JsonSchema = {
  type?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema | boolean>;
  additionalProperties?: JsonSchema | boolean;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `input` with the schema's defaults put where a value is missing: nested objects too, and
 * each value of a record (`additionalProperties`, zod's `z.record`).
 */
export function applyInputDefaults(
  schema: JsonSchema | undefined,
  input: unknown,
): unknown {
  if (input === undefined && schema?.default !== undefined) {
    return structuredClone(schema.default);
  }
  if (!schema || !isPlainObject(input)) {
    return input;
  }
  const properties = schema.properties ?? {};
  const result: Record<string, unknown> = { ...input };
  for (const [key, property] of Object.entries(properties)) {
    if (typeof property === 'boolean') continue;
    const value = applyInputDefaults(property, input[key]);
    if (value !== undefined) result[key] = value;
  }
  const rest = schema.additionalProperties;
  if (typeof rest === 'object') {
    for (const key of Object.keys(input).filter(k => !(k in properties))) {
      result[key] = applyInputDefaults(rest, input[key]);
    }
  }
  return result;
}

/**
 * The one way Paved's actions apply input defaults. The scaffolder validates an action's
 * input against its JSON schema but fills in none of the schema's defaults
 * (backstage/backstage#30613), while the handler's input type (zod's output type) says
 * that a `.default(…)` field is always there. So each default is declared once, in the
 * schema (`timeoutSeconds: z => z.number().default(600)`), where the installed-actions page
 * shows it, and the action is wrapped: `withInputDefaults(createTemplateAction({...}))`
 * gives the handler its input with every declared default filled in. Its input type is
 * Partial: zod's output type says nothing of which fields have defaults.
 */
export function withInputDefaults<
  TInput extends JsonObject,
  TOutput extends JsonObject,
>(
  action: TemplateAction<TInput, TOutput, 'v2'>,
): TemplateAction<Partial<TInput>, TOutput, 'v2'> {
  const schema = action.schema?.input as JsonSchema | undefined;
  return {
    ...action,
    // The caller's input may leave out what has a default (the scaffolder has already
    // checked it against the schema); the handler gets it filled in.
    handler: ctx =>
      action.handler({
        ...ctx,
        input: applyInputDefaults(schema, ctx.input ?? {}) as TInput,
      }),
  };
}
