import { ServiceUnavailableError } from '@backstage/errors';

/** One series of a Prometheus answer: its labels and [unix seconds, value] points. */
export interface PromSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/**
 * Prometheus' HTTP query API, as the metrics service needs it. The queries it is given are
 * the service's fixed templates (MetricsService), never text from a request.
 */
export interface PrometheusClient {
  /** An instant query's first sample value; undefined when it returned nothing (or NaN). */
  instant(query: string, time: Date): Promise<number | undefined>;
  /** A range query's first series' points (NaN points left out). */
  range(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<Array<[number, number]>>;
}

/** Talks to Prometheus over HTTP; unreachable or failing is a ServiceUnavailableError (503). */
export class HttpPrometheusClient implements PrometheusClient {
  constructor(
    private readonly baseUrl: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  private async call(path: string, params: Record<string, string>) {
    if (!this.baseUrl) {
      throw new ServiceUnavailableError(
        'Metrics are not available: no Prometheus is configured (paved.platform.prometheus.url)',
      );
    }
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `Metrics are not available: Prometheus at ${
          this.baseUrl
        } does not answer (${(error as Error).message})`,
      );
    }
    const body = (await response.json().catch(() => undefined)) as
      | { status: string; data?: { result: unknown[] }; error?: string }
      | undefined;
    if (!response.ok || body?.status !== 'success') {
      throw new ServiceUnavailableError(
        `Metrics are not available: Prometheus answered ${response.status}${
          body?.error ? ` (${body.error})` : ''
        }`,
      );
    }
    return body.data!.result;
  }

  async instant(query: string, time: Date) {
    const result = (await this.call('query', {
      query,
      time: String(time.getTime() / 1000),
    })) as Array<{ value: [number, string] }>;
    const value = result.length ? Number(result[0].value[1]) : NaN;
    return Number.isFinite(value) ? value : undefined;
  }

  async range(query: string, start: Date, end: Date, stepSeconds: number) {
    const result = (await this.call('query_range', {
      query,
      start: String(start.getTime() / 1000),
      end: String(end.getTime() / 1000),
      step: String(stepSeconds),
    })) as Array<{ values: Array<[number, string]> }>;
    if (!result.length) return [];
    return result[0].values
      .map(([t, v]) => [t, Number(v)] as [number, number])
      .filter(([, v]) => Number.isFinite(v));
  }
}
