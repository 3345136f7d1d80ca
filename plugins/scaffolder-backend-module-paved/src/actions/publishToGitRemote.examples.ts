import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Publish the workspace as a new repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'paved:git-remote:publish',
          name: 'Publish to the git remote',
          input: {
            name: 'orders-service',
            description: 'Takes and tracks customer orders',
          },
        },
      ],
    }),
  },
  {
    description: 'Publish a sub-directory under another owner and branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'paved:git-remote:publish',
          name: 'Publish to the git remote',
          input: {
            name: 'orders-service-docs',
            owner: 'storefront-team',
            sourcePath: 'docs',
            defaultBranch: 'trunk',
          },
        },
      ],
    }),
  },
];
