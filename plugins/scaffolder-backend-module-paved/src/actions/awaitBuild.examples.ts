import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Wait for the image built from the commit the publish step pushed',
    example: yaml.stringify({
      steps: [
        {
          id: 'build',
          action: 'paved:build:await',
          name: 'Wait for the first build',
          input: {
            entityRef: 'component:default/${{ parameters.name }}',
            commitSha: "${{ steps['publish'].output.commitHash }}",
          },
        },
      ],
    }),
  },
  {
    description: 'Wait up to 15 minutes for the build of a given commit',
    example: yaml.stringify({
      steps: [
        {
          id: 'build',
          action: 'paved:build:await',
          name: 'Wait for the build',
          input: {
            entityRef: 'component:default/orders-api',
            commitSha: '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
            timeoutSeconds: 900,
          },
        },
      ],
    }),
  },
];
