import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Wait for the entity that the register step added',
    example: yaml.stringify({
      steps: [
        {
          id: 'await-entity',
          action: 'paved:catalog:await-entity',
          name: 'Wait for the catalog',
          input: { entityRef: "${{ steps['register'].output.entityRef }}" },
        },
      ],
    }),
  },
];
