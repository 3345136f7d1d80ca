export { DefaultFeedbackService, LOW_RATING } from './FeedbackService';
export type {
  DefaultFeedbackServiceOptions,
  FeedbackService,
  ScaffolderTasks,
} from './FeedbackService';
export { KnexFeedbackStore } from './FeedbackStore';
export type { FeedbackStore } from './FeedbackStore';
export { ScaffolderTaskClient } from './ScaffolderTaskClient';
export { weeklyAverages } from './weekly';
