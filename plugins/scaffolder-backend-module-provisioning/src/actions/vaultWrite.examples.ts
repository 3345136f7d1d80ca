import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Generate a service's session secret and let it read its secrets",
    example: yaml.stringify({
      steps: [
        {
          id: 'credentials',
          action: 'paved:vault:write',
          name: 'Credentials',
          input: {
            path: 'services/${{ parameters.name }}/app',
            generate: { SESSION_SECRET: { length: 48 } },
            readPolicy: {
              name: '${{ parameters.name }}-read',
              path: 'services/${{ parameters.name }}',
            },
          },
        },
      ],
    }),
  },
];
