/*
 * Paved's backend: Backstage's own plugins plus Paved's modules.
 * Each `backend.add` is one feature; configuration lives in app-config*.yaml.
 */
import { createBackend } from '@backstage/backend-defaults';
import { gitRemoteUrlReaderFactory } from '@paved/plugin-git-remote-node';

const backend = createBackend();

// Reads catalog-info.yaml and docs from the local git remote that Create Service publishes to.
backend.add(gitRemoteUrlReaderFactory);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Auth: guest or any catalog user for local development, GitHub in production (app-config.production.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Local only: sign in as any catalog User, to act as requester and approver.
backend.add(import('@paved/plugin-auth-backend-module-local-user-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

// Catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Scaffolder and Paved's golden-path actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
// Keeps each task's workspace in the database after every step, so a run a restart interrupted
// resumes where it was (scaffolder.taskRecovery, docs/decisions/0028).
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-workspace-database'),
);
backend.add(import('@paved/plugin-scaffolder-backend-module-paved'));
backend.add(import('@paved/plugin-scaffolder-backend-module-provisioning'));

// Deploy, environments, promotion with approval, rollback and audit (/api/deployments).
backend.add(import('@paved/plugin-deployments-backend'));
// Its operations as actions for AI assistants (MCP at /api/mcp-actions/v1) and `backstage-cli
// actions` (backend.actions.pluginSources names the plugins whose actions are offered).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// TechDocs, built locally; the prebuild module builds every entity's docs so search covers them.
backend.add(import('@backstage/plugin-techdocs-backend'));
backend.add(import('@paved/plugin-techdocs-backend-module-prebuild'));

// Permissions: deployments for an entity's owners and the platform team; the rest stays open.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@paved/plugin-permission-backend-module-paved-policy'));

// Search: PostgreSQL's full-text engine when the backend runs on PostgreSQL, Lunr otherwise.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));
// Notifications (approvals, decisions, failed production deploys, low ratings), pushed to open pages by signals.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();
