import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  paved?: {
    techdocsPrebuild?: {
      /** Set to false to build docs only when someone opens them. Default: true. */
      enabled?: boolean;
      /** How often to look for docs to build; default every minute, first 10 s after start. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Rebuild docs built longer ago than this. Default: 30. */
      rebuildAfterMinutes?: number;
    };
  };
}
