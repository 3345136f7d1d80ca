export { HttpServiceHealthProbe } from './ServiceHealthProbe';
export type { ServiceHealthProbe } from './ServiceHealthProbe';
