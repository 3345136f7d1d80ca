import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Deploy the image built from the first commit to staging, through the deployments API, and wait for the rollout',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'paved:deployment:deploy',
          name: 'First deployment to staging',
          input: {
            entityRef: 'component:default/${{ parameters.name }}',
            environment: 'staging',
            image: "${{ steps['build'].output.image }}",
          },
        },
      ],
    }),
  },
];
