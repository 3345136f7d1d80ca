import { DatabaseConnection } from '@paved/plugin-deployments-common';
import { Caller } from '../DeploymentService';

/** Where a caller connects to a service's database in an environment, and as whom (`paved db connect`). */
export interface DatabaseConnectionService {
  /** The login the environment's pods use, for one session; every call is audited (never the password). */
  connect(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<DatabaseConnection>;
}
