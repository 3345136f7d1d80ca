import { TestApiRegistry } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { JsonObject } from '@backstage/types';
import { FieldValidation } from '@rjsf/utils';
import { fireEvent, render, screen } from '@testing-library/react';
import { ServiceNamePicker, validateServiceName } from './ServiceNamePicker';

const apiHolder = TestApiRegistry.from([
  catalogApiRef,
  catalogApiMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-service', namespace: 'default' },
        spec: { owner: 'group:default/payments-team' },
      },
    ],
  }),
]);

async function errorsFor(value: string, schema: JsonObject = {}) {
  const errors: string[] = [];
  const validation = {
    addError: (message: string) => errors.push(message),
  } as FieldValidation;
  await validateServiceName(value, validation, { apiHolder, schema });
  return errors;
}

describe('validateServiceName', () => {
  it('accepts a free, valid name', async () => {
    expect(await errorsFor('orders-api')).toEqual([]);
  });

  it('explains the naming rule for an invalid name', async () => {
    expect(await errorsFor('Orders_API')).toEqual([
      'Use 2 to 39 characters: lowercase letters, digits and "-", starting with a letter (e.g. "orders-api").',
    ]);
  });

  it("uses the template's own pattern when it has one", async () => {
    expect(await errorsFor('orders-api', { pattern: '^svc-' })).toHaveLength(1);
    expect(await errorsFor('svc-orders', { pattern: '^svc-' })).toEqual([]);
  });

  it('names the entity and owner that already use the name', async () => {
    expect(await errorsFor('payments-service')).toEqual([
      '"payments-service" is already taken by Component default/payments-service (owner: group:default/payments-team). Pick another name.',
    ]);
  });
});

describe('ServiceNamePicker', () => {
  it('reports trimmed input and shows the field description', () => {
    const onChange = jest.fn();
    render(
      <ServiceNamePicker
        {...({} as any)}
        onChange={onChange}
        schema={{ title: 'Name', description: 'Lowercase letters' }}
        idSchema={{ $id: 'root_name' }}
        formData=""
        rawErrors={[]}
        required
      />,
    );
    expect(screen.getByText('Lowercase letters')).toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox'), {
      target: { value: ' orders-api ' },
    });
    expect(onChange).toHaveBeenCalledWith('orders-api');
  });

  it('states the naming rule in words while the value breaks it', () => {
    render(
      <ServiceNamePicker
        {...({} as any)}
        onChange={jest.fn()}
        schema={{ description: 'Lowercase letters', pattern: '^[a-z]+$' }}
        idSchema={{ $id: 'root_name' }}
        formData="Orders_API"
        rawErrors={['must match pattern']}
      />,
    );
    expect(screen.queryByText('Lowercase letters')).not.toBeInTheDocument();
    expect(screen.getByText(/^Use 2 to 39 characters/)).toBeInTheDocument();
    expect(screen.getByRole('textbox')).toHaveAttribute('aria-invalid', 'true');
  });
});
