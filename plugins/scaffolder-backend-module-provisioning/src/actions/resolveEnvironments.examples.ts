import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: "Name a new service's namespaces",
    example: yaml.stringify({
      steps: [
        {
          id: 'environments',
          action: 'paved:environments:resolve',
          name: 'Name the namespaces',
          input: { service: '${{ parameters.name }}' },
        },
      ],
    }),
  },
];
