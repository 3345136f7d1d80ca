import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ScaffolderTasks } from './FeedbackService';

/** Asks the scaffolder backend (`GET /v2/tasks/:id`) on behalf of the caller who started the task. */
export class ScaffolderTaskClient implements ScaffolderTasks {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async createdBy(taskId: string, credentials: BackstageCredentials) {
    const { discovery, auth } = this.options;
    const base = await discovery.getBaseUrl('scaffolder');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'scaffolder',
    });
    const response = await (this.options.fetch ?? fetch)(
      `${base}/v2/tasks/${encodeURIComponent(taskId)}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (response.status === 404 || response.status === 403) return undefined;
    if (!response.ok) {
      throw new Error(
        `The scaffolder answered ${response.status} for task ${taskId}`,
      );
    }
    const task = (await response.json()) as { createdBy?: string };
    return { createdBy: task.createdBy };
  }
}
