export {
  namespaceFor,
  namespacesFor,
  readEnvironments,
  serviceUrlFor,
} from './environments';
export type { Environment } from './environments';
