export { DefaultDatabaseConnectionService } from './DefaultDatabaseConnectionService';
export type {
  DatabaseConnectAddress,
  DefaultDatabaseConnectionServiceOptions,
} from './DefaultDatabaseConnectionService';
export type { DatabaseConnectionService } from './types';
