import yaml from 'yaml';
import { exampleInputs } from './testUtils';

const examples = [
  {
    description: 'Deploy what was built',
    example: yaml.stringify({
      steps: [
        {
          action: 'paved:deployment:deploy',
          input: {
            entityRef: 'component:default/${{ parameters.name }}',
            image: "${{ steps['build'].output.image }}",
            namespaces: '${{ steps.environments.output.namespaces }}',
            replicas: 2,
          },
        },
      ],
    }),
  },
];

describe('exampleInputs', () => {
  it('fills in every expression, keeping whole-expression values as they are', () => {
    expect(
      exampleInputs(examples, 'paved:deployment:deploy', {
        'parameters.name': 'orders-api',
        "steps['build'].output.image": 'registry.paved.local/orders-api:abc',
        'steps.environments.output.namespaces': {
          staging: 'orders-api-staging',
        },
      }),
    ).toEqual([
      [
        'Deploy what was built',
        {
          entityRef: 'component:default/orders-api',
          image: 'registry.paved.local/orders-api:abc',
          namespaces: { staging: 'orders-api-staging' },
          replicas: 2,
        },
      ],
    ]);
  });

  it('names an expression without a value, and a step of another action', () => {
    expect(() =>
      exampleInputs(examples, 'paved:deployment:deploy', {
        'parameters.name': 'orders-api',
      }),
    ).toThrow(/no value for \$\{\{ steps\['build'\]\.output\.image \}\}/);
    expect(() => exampleInputs(examples, 'paved:build:await', {})).toThrow(
      'runs paved:deployment:deploy, not paved:build:await',
    );
  });
});
