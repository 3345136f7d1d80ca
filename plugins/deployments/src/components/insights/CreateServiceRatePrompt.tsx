import { RatePrompt } from './RatePrompt';

/** The query parameter Create Service's "Environments" link carries: its task id. */
export const RATE_TASK_PARAM = 'rateTask';

/** The Create Service task id in a page's query string, if it names one. */
export function taskToRate(search: string): string | undefined {
  const id = new URLSearchParams(search).get(RATE_TASK_PARAM) ?? '';
  return /^[A-Za-z0-9-]{1,100}$/.test(id) ? id : undefined;
}

/**
 * "How was Create Service?" on the new service's Environments view, when it
 * was opened from the template's last page (its "Environments" link names
 * the task: `?rateTask=<id>`). The backend accepts the rating only from the
 * task's creator; anyone else sees the refusal and can dismiss it. Asked
 * once per task, as every RatePrompt.
 */
export function CreateServiceRatePrompt(props: {
  entityRef: string;
  search?: string;
}) {
  const taskId = taskToRate(props.search ?? window.location.search);
  if (!taskId) return null;
  return (
    <RatePrompt
      question="How was creating this service with Create Service? 1–5"
      context={{
        page: window.location.pathname,
        action: 'create-service',
        entityRef: props.entityRef,
        taskId,
      }}
    />
  );
}
