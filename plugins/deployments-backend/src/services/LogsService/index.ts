export { DefaultLogsService, DEFAULT_TAIL_LINES } from './DefaultLogsService';
export type { DefaultLogsServiceOptions } from './DefaultLogsService';
export { parseSince, MAX_SINCE_SECONDS } from './since';
export type { LogsRequest, LogsService } from './types';
