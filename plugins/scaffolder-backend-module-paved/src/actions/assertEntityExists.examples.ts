import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Check the chosen owner before creating anything',
    example: yaml.stringify({
      steps: [
        {
          id: 'check-owner',
          action: 'paved:catalog:assert-exists',
          name: 'Check the owner',
          input: {
            entityRef: '${{ parameters.owner }}',
            field: 'owner',
            kinds: ['Group', 'User'],
          },
        },
      ],
    }),
  },
];
