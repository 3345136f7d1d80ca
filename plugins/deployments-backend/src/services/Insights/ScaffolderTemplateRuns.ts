import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { TemplateRun } from './adoption';

/** Where the adoption figures read the golden paths' runs from. */
export interface TemplateRunSource {
  /** Every template run created at or after `since`, newest first. */
  listRuns(since: string): Promise<TemplateRun[]>;
}

type Task = {
  createdAt: string;
  spec?: {
    templateInfo?: { entityRef?: string };
    parameters?: Record<string, unknown>;
  };
};

const PAGE = 200;
/** At most this many runs are read for one report (50 pages). */
const MAX_RUNS = 10_000;

/**
 * Lists the scaffolder's tasks (`GET /v2/tasks`, newest first, a page at a
 * time) as the insights plugin itself: a service principal, which the
 * scaffolder's task-read permission lets see every task. The scaffolder has
 * no "created after" filter, so paging stops at the first task older than
 * `since`.
 */
export class ScaffolderTemplateRuns implements TemplateRunSource {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async listRuns(since: string): Promise<TemplateRun[]> {
    const { discovery, auth } = this.options;
    const base = await discovery.getBaseUrl('scaffolder');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'scaffolder',
    });
    const sinceMs = Date.parse(since);
    const runs: TemplateRun[] = [];
    for (let offset = 0; offset < MAX_RUNS; offset += PAGE) {
      const url = `${base}/v2/tasks?order=desc:created_at&limit=${PAGE}&offset=${offset}`;
      let response: Response;
      try {
        response = await (this.options.fetch ?? fetch)(url, {
          headers: { Authorization: `Bearer ${token}` },
        });
      } catch (error) {
        throw new ServiceUnavailableError(
          `The scaffolder could not be reached at ${base}: ${error}`,
        );
      }
      if (!response.ok) {
        throw new ServiceUnavailableError(
          `The scaffolder answered ${response.status} to listing its tasks`,
        );
      }
      const { tasks } = (await response.json()) as { tasks: Task[] };
      for (const task of tasks) {
        if (Date.parse(task.createdAt) < sinceMs) return runs;
        const template = task.spec?.templateInfo?.entityRef;
        if (!template) continue;
        runs.push({
          template,
          createdAt: task.createdAt,
          parameters: task.spec?.parameters ?? {},
        });
      }
      if (tasks.length < PAGE) return runs;
    }
    return runs;
  }
}
