export { AlertsService, CatalogAlertEntityResolver } from './AlertsService';
export type { AlertEntityResolver, AlertNotifier } from './AlertsService';
export { KnexAlertStore } from './AlertStore';
export type { AlertStore } from './AlertStore';
