export { ProvisioningDefaults } from './moduleDefaults';
export type { DatabaseAddress, ModuleDefaults } from './moduleDefaults';
