export { namespaceFor, namespacesFor, readEnvironments } from './environments';
export type { Environment } from './environments';
