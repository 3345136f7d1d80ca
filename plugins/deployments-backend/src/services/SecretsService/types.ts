import {
  SecretChangeRequest,
  SecretChangeResult,
  SecretList,
  SecretRollbackRequest,
  SecretRotateRequest,
} from '@paved/plugin-deployments-common';
import { Caller } from '../DeploymentService';

/**
 * A service's secrets per environment: list them (names and versions, never
 * values); set, unset, roll back and rotate them, each a new Vault version
 * rolled out as a deployment that restarts the service; each with a dry run.
 */
export interface SecretsService {
  list(
    entityRef: string,
    environment: string,
    caller: Caller,
  ): Promise<SecretList>;
  change(
    entityRef: string,
    environment: string,
    request: SecretChangeRequest,
    caller: Caller,
  ): Promise<SecretChangeResult>;
  rollback(
    entityRef: string,
    environment: string,
    request: SecretRollbackRequest,
    caller: Caller,
  ): Promise<SecretChangeResult>;
  rotate(
    entityRef: string,
    environment: string,
    request: SecretRotateRequest,
    caller: Caller,
  ): Promise<SecretChangeResult>;
}
