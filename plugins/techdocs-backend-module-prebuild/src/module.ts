import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { DefaultTechDocsPrebuilder } from './services/TechDocsPrebuilder';

// Sweeps are cheap when nothing is due, so they run often: a new service's
// docs are built (and then indexed) within about a minute of its registration.
const DEFAULT_SCHEDULE = {
  frequency: { minutes: 1 },
  timeout: { minutes: 20 },
  initialDelay: { seconds: 10 },
};

/**
 * Builds every entity's TechDocs on a schedule, so that docs open instantly and
 * TechDocs search (which indexes only built docs) covers them all.
 */
export const techdocsModulePrebuild = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'prebuild',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({ config, logger, scheduler, auth, discovery, catalog }) {
        const scheduleConfig = config.getOptionalConfig(
          'paved.techdocsPrebuild.schedule',
        );
        if (
          config.getOptionalBoolean('paved.techdocsPrebuild.enabled') === false
        ) {
          return;
        }
        const rebuildAfter = config.getOptionalNumber(
          'paved.techdocsPrebuild.rebuildAfterMinutes',
        );
        const prebuilder = new DefaultTechDocsPrebuilder({
          catalog,
          auth,
          discovery,
          logger,
          rebuildAfterMs:
            rebuildAfter === undefined ? undefined : rebuildAfter * 60_000,
        });
        await scheduler.scheduleTask({
          id: 'paved-techdocs-prebuild',
          ...(scheduleConfig
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                scheduleConfig,
              )
            : DEFAULT_SCHEDULE),
          fn: async () => {
            await prebuilder.prebuildDue();
          },
        });
      },
    });
  },
});
