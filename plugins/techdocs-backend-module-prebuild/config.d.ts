import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  paved?: {
    techdocsPrebuild?: {
      /** Set to false to build docs only when someone opens them. Default: true. */
      enabled?: boolean;
      /** When to build; default every 30 minutes, first 10 s after start. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
