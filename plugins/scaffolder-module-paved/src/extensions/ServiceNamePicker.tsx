import { ApiHolder } from '@backstage/core-plugin-api';
import { JsonObject } from '@backstage/types';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { FieldValidation } from '@rjsf/utils';
import TextField from '@material-ui/core/TextField';

/** Used when the template's schema sets no `pattern` of its own. */
const DEFAULT_NAME_PATTERN = '^[a-z][a-z0-9-]{1,38}$';
const NAME_RULE =
  'Use 2 to 39 characters: lowercase letters, digits and "-", starting with a letter (e.g. "orders-api").';

function namePattern(schema: JsonObject): RegExp {
  return new RegExp(
    typeof schema.pattern === 'string' ? schema.pattern : DEFAULT_NAME_PATTERN,
  );
}

export const ServiceNamePicker = ({
  onChange,
  required,
  formData,
  schema,
  rawErrors,
  idSchema,
}: FieldExtensionComponentProps<string>) => {
  // The form's own pattern error quotes the regex; say the rule in words instead.
  const breaksRule =
    !!formData && !namePattern(schema as JsonObject).test(formData);
  return (
    <TextField
      id={idSchema?.$id}
      label={schema.title ?? 'Name'}
      helperText={breaksRule ? NAME_RULE : schema.description}
      placeholder="e.g. orders-api"
      required={required}
      value={formData ?? ''}
      onChange={event => onChange(event.target.value.trim() || undefined)}
      error={breaksRule || (!!rawErrors?.length && !!formData)}
      inputProps={{ autoComplete: 'off', spellCheck: false }}
      margin="normal"
      fullWidth
    />
  );
};

/**
 * Refuses, before the template runs, a name that breaks the naming rule or that
 * a catalog entity already has. The backend repeats both checks
 * (`paved:name:assert-available`), since the form can be bypassed.
 */
export async function validateServiceName(
  value: string,
  validation: FieldValidation,
  context: { apiHolder: ApiHolder; schema: JsonObject },
): Promise<void> {
  if (!value) return;
  if (!namePattern(context.schema).test(value)) {
    validation.addError(NAME_RULE);
    return;
  }
  const catalogApi = context.apiHolder.get(catalogApiRef);
  if (!catalogApi) return;
  const { items } = await catalogApi.getEntities({
    filter: { 'metadata.name': value },
    fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
  });
  const taken = items[0];
  if (taken) {
    const owner = (taken.spec as { owner?: string } | undefined)?.owner;
    validation.addError(
      `"${value}" is already taken by ${taken.kind} ${
        taken.metadata.namespace ?? 'default'
      }/${value}${owner ? ` (owner: ${owner})` : ''}. Pick another name.`,
    );
  }
}
