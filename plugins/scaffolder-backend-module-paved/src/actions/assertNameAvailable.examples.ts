import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Stop a template early when the service name is taken',
    example: yaml.stringify({
      steps: [
        {
          id: 'check-name',
          action: 'paved:name:assert-available',
          name: 'Check the name is free',
          input: { name: '${{ parameters.name }}' },
        },
      ],
    }),
  },
];
