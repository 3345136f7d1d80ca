import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Write the service's SLO rules and Grafana dashboard for each environment before publishing",
    example: yaml.stringify({
      steps: [
        {
          id: 'monitoring',
          action: 'paved:monitoring:write',
          name: 'SLOs and dashboards',
          input: {
            name: 'orders-api',
            tier: 'standard',
            namespaces: {
              staging: 'orders-api-staging',
              production: 'orders-api-production',
            },
          },
        },
      ],
    }),
  },
];
