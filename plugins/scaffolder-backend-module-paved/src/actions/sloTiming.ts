import { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/**
 * How fast the SLO alerts Create Service writes react: the rule group's evaluation interval and
 * every alert's `for`. Read here, once, from `paved.monitoring.slo` (config.d.ts). Unset (every
 * real deployment): Prometheus' own `evaluation_interval` and the SRE workbook's `for` (2m for
 * the fast burn, …), as slo.ts has them. The browser tests set seconds (app-config.e2e.yaml), so
 * an alert fires and resolves within a test; never a real service's objective.
 */
export interface SloTiming {
  evaluationInterval?: string;
  alertFor?: string;
}

const DURATION = /^([1-9][0-9]*)(ms|s|m|h)$/;

export function readSloTiming(
  config: Pick<RootConfigService, 'getOptionalString'>,
): SloTiming {
  const timing: SloTiming = {};
  for (const key of ['evaluationInterval', 'alertFor'] as const) {
    const value = config.getOptionalString(`paved.monitoring.slo.${key}`);
    if (value === undefined) continue;
    if (!DURATION.test(value)) {
      throw new InputError(
        `paved.monitoring.slo.${key} must be a Prometheus duration such as 5s, 1m or 2h; got ${JSON.stringify(
          value,
        )}`,
      );
    }
    timing[key] = value;
  }
  return timing;
}
