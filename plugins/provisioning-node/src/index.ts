/**
 * Clients for the infrastructure Paved provisions into (Kubernetes, OpenTofu,
 * Vault) arrive with the provisioning issue. For now the package offers
 * `@paved/plugin-provisioning-node/testUtils`: a test sandbox on the local platform.
 *
 * @packageDocumentation
 */
export {};
