import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Deploy the repo's manifests to staging with its secrets from Vault",
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy-staging',
          action: 'paved:kubernetes:apply',
          name: 'First deployment to staging',
          input: {
            environment: 'staging',
            namespace: '${{ steps.environments.output.namespaces.staging }}',
            manifests: 'deploy/kubernetes',
            secretFromVault: {
              name: '${{ parameters.name }}-secrets',
              path: 'services/${{ parameters.name }}',
            },
          },
        },
      ],
    }),
  },
];
