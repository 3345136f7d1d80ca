import { CustomErrorBase } from '@backstage/errors';
import { RolloutDiagnosis, RolloutProblemReason } from './diagnosis';

/**
 * How a rollout failed: a problem its new pods showed (see RolloutDiagnosis),
 * the Deployment's progress deadline (`Deadline`), or the caller's time limit
 * (`Timeout`).
 */
export type RolloutFailureReason =
  | RolloutProblemReason
  | 'Deadline'
  | 'Timeout';

/**
 * A rollout that failed: its progress deadline passed, its time ran out, or
 * its new pods showed a problem that waiting can't fix. Told apart by its
 * name; `reason` and `diagnosis` say why, the latter with the failing
 * container's last log lines.
 */
export class RolloutFailedError extends CustomErrorBase {
  name = 'RolloutFailedError' as const;
  readonly reason: RolloutFailureReason;

  constructor(
    message: string,
    options:
      | { reason: 'Deadline' | 'Timeout'; diagnosis?: RolloutDiagnosis }
      | { diagnosis: RolloutDiagnosis },
  ) {
    super(message);
    this.diagnosis = options.diagnosis;
    this.reason =
      options.diagnosis?.reason ??
      ('reason' in options ? options.reason : 'Deadline');
  }

  readonly diagnosis?: RolloutDiagnosis;
}
