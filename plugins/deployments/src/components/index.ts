export { DeployButton } from './DeployButton';
export type { DeployButtonProps } from './DeployButton';
export { DeployDialog } from './DeployDialog';
export type { DeployDialogProps } from './DeployDialog';
export { DeploymentsCard } from './DeploymentsCard';
export { EnvironmentsContent } from './EnvironmentsContent';
export { BuildsCard } from './BuildsCard';
export { SecretsCard } from './SecretsCard';
