import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Create a service's namespaces with quota, service account and RBAC",
    example: yaml.stringify({
      steps: [
        {
          id: 'namespaces',
          action: 'paved:tofu:apply',
          name: 'Namespaces',
          input: {
            module: 'service-namespace',
            workspace: '${{ parameters.name }}',
            variables: {
              service: '${{ parameters.name }}',
              owner: '${{ parameters.owner }}',
              tier: '${{ parameters.tier }}',
              namespaces: '${{ steps.environments.output.namespaces }}',
            },
          },
        },
      ],
    }),
  },
  {
    description: 'A PostgreSQL database whose credentials go to Vault',
    example: yaml.stringify({
      steps: [
        {
          id: 'database',
          action: 'paved:tofu:apply',
          name: 'Database',
          input: {
            module: 'postgres-database',
            workspace: '${{ parameters.name }}',
            variables: {
              service: '${{ parameters.name }}',
              database_name: 'orders_api',
              vault_mount: 'secret',
              vault_path: 'services/orders-api/database',
            },
          },
        },
      ],
    }),
  },
];
