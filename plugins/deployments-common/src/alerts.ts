import type { Schemas } from './schema';

// The alerts API's types (ReceiveAlerts, ListAlerts in openapi.yaml; docs/decisions/0026).

/** Alertmanager's webhook payload (version 4), as the contract accepts it. */
export type AlertmanagerWebhook = Schemas.AlertmanagerWebhook;
export type AlertmanagerAlert = Schemas.AlertmanagerAlert;
export type AlertsReceived = Schemas.AlertsReceived;

/** An SLO alert of a service, as its entity page shows it. */
export type ServiceAlert = Schemas.ServiceAlert;
