export interface Config {
  paved?: {
    monitoring?: {
      /**
       * How fast the SLO alerts written by Create Service (`paved:monitoring:write`) react.
       * Leave unset in a real deployment: Prometheus' own evaluation interval and the SRE
       * workbook's `for` (2m for the fast burn, 15m, 1h, 3h). The browser tests set seconds
       * (app-config.e2e.yaml).
       */
      slo?: {
        /** The rule group's `interval`, a Prometheus duration, e.g. 2s. */
        evaluationInterval?: string;
        /** Every burn-rate alert's `for`, a Prometheus duration, e.g. 10s. */
        alertFor?: string;
      };
    };
  };
}
