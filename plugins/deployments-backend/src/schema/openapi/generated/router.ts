// Generated from plugins/deployments-backend/src/schema/openapi.yaml by
// plugins/deployments-backend/scripts/generate-openapi.ts: do not edit. Change the
// YAML and run `node plugins/deployments-backend/scripts/generate-openapi.ts`.
/* eslint-disable */

import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { EndpointMap } from '@paved/plugin-deployments-common';

/** openapi.yaml, as JSON. */
export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'deployments',
    version: '1',
    description:
      'Deploys golden-path services (made by the Create Service template) to the\nenvironments in `paved.environments`, promotes with approval, rolls back,\nand shows environments, history and the audit trail. Errors are\n@backstage/errors bodies: 400 InputError naming the field, 403\nNotAllowedError, 404 NotFoundError, 409 DeploymentInProgressError (another\ndeployment of the entity to the environment is under way) or ConflictError\n(a Deployment that does not exist yet, an approval already decided),\n503 ServiceUnavailableError (the Kubernetes API is unreachable; nothing is\nrecorded as deployed).\n',
    license: {
      name: 'UNLICENSED',
    },
  },
  servers: [
    {
      url: '/api/deployments',
    },
  ],
  security: [
    {
      JWT: [],
    },
  ],
  paths: {
    '/deployments': {
      post: {
        operationId: 'CreateDeployment',
        summary: 'Deploy an image of an entity to an environment',
        description:
          "Server-side applies the image to the entity's Deployment in the\nnamespace from `paved.dev/kubernetes-namespace-<environment>`,\nrefreshes the `<name>-secrets` Secret from `paved.dev/vault-path`,\nand watches the rollout in the background. Needs\n`paved.deployment.create`. An environment that `requiresApproval`\nis not deployed to directly (400): promote into it instead.\n",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/DeployRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'Applied; the rollout is under way.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/deployments/{id}': {
      get: {
        operationId: 'GetDeployment',
        summary: 'One deployment',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'The deployment.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/environments': {
      get: {
        operationId: 'ListEnvironments',
        summary:
          'What runs in each environment, live, and the last deployment there',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description:
              'One item per environment, in `paved.environments` order.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/EnvironmentStatus',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/deployments': {
      get: {
        operationId: 'ListDeployments',
        summary: 'Deployment history, newest first',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            name: 'environment',
            in: 'query',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'limit',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 100,
              default: 20,
            },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The `nextCursor` of the previous page.',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of deployments.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Deployment',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/audit-events': {
      get: {
        operationId: 'ListAuditEvents',
        summary: 'The last 100 audited actions on the entity, newest first',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: 'Audit events.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/AuditEvent',
                      },
                    },
                  },
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/approvals': {
      get: {
        operationId: 'ListApprovals',
        summary: "The entity's approval requests, newest first (the last 100)",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            name: 'status',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: ['pending', 'approved', 'rejected'],
            },
          },
        ],
        responses: {
          '200': {
            description: 'Approval requests.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ApprovalRequest',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/promotions': {
      post: {
        operationId: 'CreatePromotion',
        summary: 'Promote what runs in one environment to another',
        description:
          "Deploys right away (202) unless the target environment\n`requiresApproval`, in which case it creates a pending approval\nrequest (201). Needs `paved.deployment.promote`. The first\npromotion into an environment creates the service's Deployment,\nService and ConfigMap there, copied from the source environment.\n",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/PromoteRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'An approval request, pending.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PromotionResult',
                },
              },
            },
          },
          '202': {
            description: 'Deployed; the rollout is under way.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PromotionResult',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/approvals/{id}': {
      get: {
        operationId: 'GetApproval',
        summary: 'One approval request',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'The approval request.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ApprovalRequest',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/approvals/{id}/approve': {
      post: {
        operationId: 'ApproveApproval',
        summary: 'Approve a promotion and deploy it',
        description:
          "Only a member of the entity's owning group or of\ngroup:default/platform-team, never the requester (403 otherwise).\nNeeds `paved.deployment.approve`.\n",
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '202': {
            description: "Approved; the deployment's rollout is under way.",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['approval', 'deployment'],
                  properties: {
                    approval: {
                      $ref: '#/components/schemas/ApprovalRequest',
                    },
                    deployment: {
                      $ref: '#/components/schemas/Deployment',
                    },
                  },
                },
              },
            },
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/approvals/{id}/reject': {
      post: {
        operationId: 'RejectApproval',
        summary: 'Reject a promotion',
        description:
          "Same deciders as approve. An optional `reason` is stored with the\ndecision (`decisionReason`) and in the audit event's message.\n",
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/RejectRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Rejected.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ApprovalRequest',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/rollbacks': {
      post: {
        operationId: 'CreateRollback',
        summary: "Deploy an earlier, successful deployment's image again",
        description: 'Needs `paved.deployment.rollback`.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/RollbackRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'Applied; the rollout is under way.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Deployment',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/builds': {
      post: {
        operationId: 'CreateBuild',
        summary: 'Record a build (service tokens only)',
        description:
          "Posted by the local builder and, in production, by a company's CI\nwith a service token: a static token from\n`backend.auth.externalAccess` (`type: static`, e.g. subject\n`paved-builder`) or a plugin's token. A user token is refused\n(403). `entityRef` is checked for form only\n(`component:<namespace>/<name>`): the first build of a new service\narrives before it is registered in the catalog. A build may be\nposted `running` and finished later with `PATCH /builds/{id}`, or\nposted already finished. The backend keeps the last 1 Mi\ncharacters of a log (`logTruncated` says when it dropped the start).\n",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateBuildRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'Recorded.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Build',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '401': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/builds/{id}': {
      get: {
        operationId: 'GetBuild',
        summary: 'One build, with its log',
        description:
          'Readable by services and by users who may read the entity in the\ncatalog (404 otherwise).\n',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        responses: {
          '200': {
            description: 'The build and the log the backend kept.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/BuildWithLog',
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
      patch: {
        operationId: 'FinishBuild',
        summary: 'Record how a running build ended (service tokens only)',
        description:
          'Durations are computed by the backend from `startedAt` and\n`finishedAt`. A build that already ended is not changed (409).\n',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/FinishBuildRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The finished build.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Build',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/builds/{id}/log': {
      post: {
        operationId: 'AppendBuildLog',
        summary: "Append to a running build's log (service tokens only)",
        description:
          "A finished build's log is closed (409): send the last lines before\n`PATCH /builds/{id}`, or in its `log` field.\n",
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/AppendBuildLogRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Appended; the build with its new `logSize`.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Build',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
        },
      },
      get: {
        operationId: 'GetBuildLog',
        summary: 'The log from an offset, to stream it while the build runs',
        description:
          'Poll with the `nextOffset` of the previous answer until `finished`.\n',
        parameters: [
          {
            $ref: '#/components/parameters/id',
          },
          {
            name: 'offset',
            in: 'query',
            description: '0, or the `nextOffset` of the previous answer.',
            schema: {
              type: 'integer',
              minimum: 0,
              default: 0,
            },
          },
        ],
        responses: {
          '200': {
            description: 'The text from the offset on.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/BuildLogChunk',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/builds': {
      get: {
        operationId: 'ListBuilds',
        summary: "The entity's builds, newest first",
        description:
          "Users need catalog read access to the entity (404 otherwise);\nservices read every entity's builds, also before it is in the\ncatalog.\n",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            name: 'limit',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 100,
              default: 20,
            },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The `nextCursor` of the previous page.',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'status',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['running', 'succeeded', 'failed'],
            },
          },
          {
            name: 'commitSha',
            in: 'query',
            description:
              'Builds of this commit; an abbreviated SHA on either side matches\nthe full one.\n',
            schema: {
              type: 'string',
              pattern: '^[0-9a-fA-F]{7,40}$',
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of builds.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Build',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/metrics': {
      get: {
        operationId: 'GetMetrics',
        summary:
          'Request rate, error ratio, p99 latency and error budget left, per environment',
        description:
          'Read from Prometheus with fixed PromQL templates: the only inputs are the\nentity (its `backstage.io/kubernetes-id` and\n`paved.dev/kubernetes-namespace-<env>` annotations, both Kubernetes\nnames) and the parameters below, each from a fixed set; no query text\nis ever taken from the caller. Needs catalog read of the entity.\nPrometheus unreachable is a 503 named `ServiceUnavailableError`.\n',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            name: 'window',
            in: 'query',
            description: 'How far back (at most 30 days)',
            schema: {
              type: 'string',
              enum: ['1h', '6h', '1d', '7d', '30d'],
              default: '1h',
            },
          },
          {
            name: 'environment',
            in: 'query',
            description:
              'Only this environment (one of `paved.environments`); default all',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description:
              'One entry per environment the service has a namespace in.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/MetricsReport',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/alerts/alertmanager': {
      post: {
        operationId: 'ReceiveAlerts',
        summary: "Alertmanager's webhook (service tokens only)",
        description:
          "Alertmanager's `webhook_configs` payload (version 4), posted with a\nstatic token from `backend.auth.externalAccess` (the local platform's\nis subject `paved-alertmanager`, made by `platform up`); a user token\nis refused (403). Each alert is matched to its entity by its\n`service` label (the entity's `backstage.io/kubernetes-id`) and\n`namespace` label (its `paved.dev/kubernetes-namespace-<env>`). A\nfiring alert seen for the first time notifies the entity's owners,\nwith a link to its Metrics tab; its resolution updates that\nnotification. State is stored, so Alertmanager's repeats notify\nnobody twice. Alerts of no known entity are answered in `unmatched`\n(still a 200: Alertmanager would retry a 4xx/5xx forever).\n",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/AlertmanagerWebhook',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'What was recorded.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/AlertsReceived',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '401': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/alerts': {
      get: {
        operationId: 'ListAlerts',
        summary:
          "The service's firing alerts, and those resolved in the last 7 days",
        description:
          'Firing first (oldest first), then resolved ones (newest first), at most\n100. Needs catalog read of the entity.\n',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: 'The alerts.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ServiceAlert',
                      },
                    },
                  },
                },
              },
            },
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets': {
      get: {
        operationId: 'ListSecrets',
        summary:
          "The keys the service's pods get in an environment; never values",
        description:
          "Each key's name, where in Vault it is, the KV version in which it\nlast changed, when and by whom. Keys the environment sets itself\n(source `environment`, at `<vault-path>/env/<environment>`) override\nservice-wide ones of the same name (source `service`: Create\nService's and the database module's). Needs `paved.secret.read`.\n",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/environment',
          },
        ],
        responses: {
          '200': {
            description: 'The keys, by name.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SecretList',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
      post: {
        operationId: 'ChangeSecrets',
        summary:
          "Set and unset keys of an environment's own secret, then restart the service",
        description:
          'One new Vault KV version with every key of `set` and without every\nkey of `unset`; then the `<workload>-secrets` Secret is refreshed\nand the Deployment restarted, recorded in the deployment history\nand the audit trail like a deploy (a failed restart is rolled back\nto the previous version when the environment rolls back\nautomatically). With `dryRun`, only says which keys would change and\nwhich Deployments would restart. Needs `paved.secret.write`.\n',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/environment',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/SecretChangeRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/SecretDryRun',
          },
          '202': {
            $ref: '#/components/responses/SecretChange',
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rollback':
      {
        post: {
          operationId: 'RollbackSecrets',
          summary:
            "Back to an earlier version of the environment's own secret, then restart the service",
          description:
            'Writes the data of `toVersion` (default: the version before the\ncurrent one; 0: no keys of its own) as a new version, the same path\nas a change. Needs `paved.secret.write`.\n',
          parameters: [
            {
              $ref: '#/components/parameters/kind',
            },
            {
              $ref: '#/components/parameters/namespace',
            },
            {
              $ref: '#/components/parameters/name',
            },
            {
              $ref: '#/components/parameters/environment',
            },
          ],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SecretRollbackRequest',
                },
              },
            },
          },
          responses: {
            '200': {
              $ref: '#/components/responses/SecretDryRun',
            },
            '202': {
              $ref: '#/components/responses/SecretChange',
            },
            '400': {
              $ref: '#/components/responses/Error',
            },
            '403': {
              $ref: '#/components/responses/Error',
            },
            '404': {
              $ref: '#/components/responses/Error',
            },
            '409': {
              $ref: '#/components/responses/Error',
            },
            '503': {
              $ref: '#/components/responses/Error',
            },
          },
        },
      },
    '/entities/{kind}/{namespace}/{name}/environments/{environment}/secrets/rotate':
      {
        post: {
          operationId: 'RotateSecrets',
          summary:
            'New values for generated keys (the session secret), then restart the service',
          description:
            "Each of `keys` (default: every generated key the pods get, e.g.\n`APP_SESSION_SECRET`) gets a new random value in the environment's\nown secret, the same path as a change. `DATABASE_PASSWORD` (only\nwhen named) moves the environment to its other database login role\nwith a new password (DATABASE_USERNAME, DATABASE_PASSWORD and\nDATABASE_URL change); the old login is set NOLOGIN only once the\nrestart succeeded and no other environment uses it. Needs\n`paved.secret.rotate`.\n",
          parameters: [
            {
              $ref: '#/components/parameters/kind',
            },
            {
              $ref: '#/components/parameters/namespace',
            },
            {
              $ref: '#/components/parameters/name',
            },
            {
              $ref: '#/components/parameters/environment',
            },
          ],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SecretRotateRequest',
                },
              },
            },
          },
          responses: {
            '200': {
              $ref: '#/components/responses/SecretDryRun',
            },
            '202': {
              $ref: '#/components/responses/SecretChange',
            },
            '400': {
              $ref: '#/components/responses/Error',
            },
            '403': {
              $ref: '#/components/responses/Error',
            },
            '404': {
              $ref: '#/components/responses/Error',
            },
            '409': {
              $ref: '#/components/responses/Error',
            },
            '503': {
              $ref: '#/components/responses/Error',
            },
          },
        },
      },
    '/entities/{kind}/{namespace}/{name}/environments/{environment}/pods': {
      get: {
        operationId: 'ListPods',
        summary: "The pods of the service's Deployment in an environment",
        description:
          "What `pod` of the logs can name: each pod the Deployment's selector\nmatches on the environment's cluster, oldest first, with its\ncontainers. Needs read access to the entity in the catalog.\n",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/environment',
          },
        ],
        responses: {
          '200': {
            description: 'The pods; empty when the service does not run there.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Pod',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/environments/{environment}/logs': {
      get: {
        operationId: 'ReadLogs',
        summary:
          "The service's container logs in an environment, as NDJSON; with follow, streamed",
        description:
          "One JSON object per line (`application/x-ndjson`, a `LogLine`), read\nfrom the kubelet through the environment's cluster: every pod of the\nservice (or `pod`), the service's container (or `container`), the\nlast `tailLines` lines (default 100 unless `since` is given) and,\nwith `follow=true`, new lines as they come until the client\ndisconnects. Lines of several pods are in time order per pod. A\nfailure after the answer started is a last line `{\"error\": {name,\nmessage}}` (an ErrorBody). Needs read access to the entity in the\ncatalog. A `pod` that is not one of the service's is a 404 naming\n`pod`, a `container` it does not have a 404 naming `container`.\n",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/environment',
          },
          {
            name: 'pod',
            in: 'query',
            description:
              "One of ListPods' names; default every pod of the service.",
            schema: {
              type: 'string',
            },
          },
          {
            name: 'container',
            in: 'query',
            description:
              "One of the pod's containers; default its first (the service's).",
            schema: {
              type: 'string',
            },
          },
          {
            name: 'since',
            in: 'query',
            description:
              'Lines from this long ago (`30s`, `15m`, `1h`, `2d`; at most 30\ndays) or from this time (ISO 8601, e.g. `2026-11-29T03:00:00Z`).\n',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'tailLines',
            in: 'query',
            description: 'The last N lines of what `since` selects (per pod).',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 10000,
            },
          },
          {
            name: 'follow',
            in: 'query',
            description: 'Keep the answer open and stream new lines.',
            schema: {
              type: 'string',
              enum: ['true', 'false'],
              default: 'false',
            },
          },
        ],
        responses: {
          '200': {
            description:
              'One LogLine per line, then the end (or, with follow, more).',
            content: {
              'application/x-ndjson': {
                schema: {
                  $ref: '#/components/schemas/LogLine',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '503': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/insights/dora': {
      get: {
        operationId: 'GetDoraInsights',
        summary:
          "DORA's four keys from the production deployments, with what each counts",
        description:
          "Deployment frequency, change lead time, change failure rate and failed\ndeployment recovery time (DORA's current definitions, stated in\n`definitions`) over the last `window` days of production deployments,\nfor the organisation, per team (the components' owners), per system or\nper service, each with the deployment ids it counts, a weekly trend and\nthe tier by the 2024 report's clusters (`tierSource`). Needs\n`paved.insights.read` (everyone by default).\n",
        parameters: [
          {
            name: 'window',
            in: 'query',
            required: true,
            description: 'Days back from now; 7, 30 or 90.',
            schema: {
              type: 'integer',
              enum: [7, 30, 90],
            },
          },
          {
            name: 'groupBy',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['organisation', 'team', 'system', 'service'],
              default: 'organisation',
            },
          },
          {
            name: 'entityRef',
            in: 'query',
            description:
              'Only this service (e.g. `component:default/orders-api`); its figures as one group.',
            schema: {
              type: 'string',
              minLength: 1,
            },
          },
        ],
        responses: {
          '200': {
            description: 'The figures of each group.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DoraReport',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/insights/adoption': {
      get: {
        operationId: 'GetAdoptionInsights',
        summary: 'Golden-path adoption for the organisation and per team',
        description:
          "From the catalog: services (`spec.type: service`) on the golden path\n(`paved.dev/golden-path`) and those with the database Paved provisions\n(`resource:<name>-database`); from the deployment records of the last\n`window` days, every environment: deploys through the portal, the CLI\nor otherwise (by the request's User-Agent); from the scaffolder, the\nCreate Service and Provision Database runs per week. Needs\n`paved.insights.read`.\n",
        parameters: [
          {
            name: 'window',
            in: 'query',
            required: true,
            description: 'Days back from now; 7, 30 or 90.',
            schema: {
              type: 'integer',
              enum: [7, 30, 90],
            },
          },
        ],
        responses: {
          '200': {
            description: 'The organisation first, then each team.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/AdoptionReport',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
    '/feedback': {
      post: {
        operationId: 'CreateFeedback',
        summary:
          'Rate an action one performed (a production deploy, a Create Service run), once',
        description:
          'The caller rates a production deployment they requested\n(`context.deploymentId`) or a Create Service task they started\n(`context.taskId`, checked with the scaffolder), once each (409 on a\nsecond). A rating of 2 or less notifies the platform team with the\ncontext and the comment.\n',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/FeedbackRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The stored feedback.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Feedback',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
          '404': {
            $ref: '#/components/responses/Error',
          },
          '409': {
            $ref: '#/components/responses/Error',
          },
        },
      },
      get: {
        operationId: 'ListFeedback',
        summary:
          'Ratings with their comments, and the average per action per week',
        description:
          'For members of the platform team (`paved.platformTeam`) only; others\nget a 403 (comments are theirs to read, and the ratings alone are in\nthe averages they see nowhere else).\n',
        parameters: [
          {
            name: 'window',
            in: 'query',
            required: true,
            description: 'Days back from now; 7, 30 or 90.',
            schema: {
              type: 'integer',
              enum: [7, 30, 90],
            },
          },
          {
            name: 'action',
            in: 'query',
            schema: {
              type: 'string',
              enum: ['create-service', 'production-deploy'],
            },
          },
          {
            name: 'entityRef',
            in: 'query',
            schema: {
              type: 'string',
              minLength: 1,
            },
          },
        ],
        responses: {
          '200': {
            description:
              "The window's feedback, newest first, and the weekly averages.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FeedbackList',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/Error',
          },
          '403': {
            $ref: '#/components/responses/Error',
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      JWT: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      },
    },
    parameters: {
      id: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      kind: {
        name: 'kind',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      environment: {
        name: 'environment',
        in: 'path',
        required: true,
        description:
          'One of `paved.environments`; another is a 400 naming the known ones.',
        schema: {
          type: 'string',
        },
      },
    },
    responses: {
      Error: {
        description:
          'An @backstage/errors body; `error.message` says what is wrong. A 400\nfor bad input names each wrong field and what to send (`x-hint` on a\nproperty is what its "Required" message adds). `pattern` and `format`\nare checked by the services, whose messages name the fix.\n',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/ErrorBody',
            },
          },
        },
      },
      SecretDryRun: {
        description: 'A dry run, saying what would change; nothing changed.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/SecretChangeResult',
            },
          },
        },
      },
      SecretChange: {
        description:
          "Written to Vault; the restart's deployment (`deploymentId`) is\nrolling out: follow it with GET /deployments/{id}.\n",
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/SecretChangeResult',
            },
          },
        },
      },
    },
    schemas: {
      FeedbackContext: {
        type: 'object',
        additionalProperties: false,
        required: ['page', 'action', 'entityRef'],
        properties: {
          page: {
            type: 'string',
            minLength: 1,
            maxLength: 500,
          },
          action: {
            type: 'string',
            enum: ['create-service', 'production-deploy'],
          },
          entityRef: {
            type: 'string',
            minLength: 1,
          },
          deploymentId: {
            description: 'For `production-deploy`, the deployment rated.',
            type: 'string',
            minLength: 1,
          },
          taskId: {
            description: 'For `create-service`, the scaffolder task rated.',
            type: 'string',
            minLength: 1,
          },
        },
      },
      FeedbackRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['rating', 'category', 'context'],
        properties: {
          rating: {
            type: 'integer',
            minimum: 1,
            maximum: 5,
          },
          category: {
            type: 'string',
            minLength: 1,
            maxLength: 100,
          },
          comment: {
            type: 'string',
            maxLength: 2000,
          },
          context: {
            $ref: '#/components/schemas/FeedbackContext',
          },
        },
      },
      Feedback: {
        type: 'object',
        required: ['id', 'rating', 'category', 'context', 'user', 'createdAt'],
        properties: {
          id: {
            type: 'string',
          },
          rating: {
            type: 'integer',
          },
          category: {
            type: 'string',
          },
          comment: {
            type: 'string',
          },
          context: {
            $ref: '#/components/schemas/FeedbackContext',
          },
          user: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      FeedbackList: {
        type: 'object',
        required: ['window', 'items', 'weekly'],
        properties: {
          window: {
            type: 'integer',
          },
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Feedback',
            },
          },
          weekly: {
            description:
              'Per action and week (weeks back from now), the count and average rating.',
            type: 'array',
            items: {
              type: 'object',
              required: ['action', 'weekStart', 'count', 'average'],
              properties: {
                action: {
                  type: 'string',
                },
                weekStart: {
                  type: 'string',
                  format: 'date-time',
                },
                count: {
                  type: 'integer',
                },
                average: {
                  type: 'number',
                },
              },
            },
          },
        },
      },
      ErrorBody: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
          },
          request: {
            type: 'object',
            properties: {
              method: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'integer',
              },
            },
          },
        },
      },
      DeployRequest: {
        type: 'object',
        required: ['entityRef', 'environment', 'image'],
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
            minLength: 1,
            example: 'component:default/orders-api',
          },
          environment: {
            type: 'string',
            minLength: 1,
            example: 'staging',
          },
          image: {
            type: 'string',
            description:
              'registry/path:tag or registry/path@sha256:<64 hex digits>',
            example: 'registry.paved.local/orders-api:1.4.2',
          },
          replicas: {
            type: 'integer',
            minimum: 0,
            maximum: 100,
          },
        },
      },
      PromoteRequest: {
        type: 'object',
        required: ['entityRef', 'from', 'to'],
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
            minLength: 1,
          },
          from: {
            type: 'string',
            minLength: 1,
            example: 'staging',
          },
          to: {
            type: 'string',
            minLength: 1,
            example: 'production',
          },
        },
      },
      RollbackRequest: {
        type: 'object',
        required: ['entityRef', 'environment', 'toDeploymentId'],
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
            minLength: 1,
          },
          environment: {
            type: 'string',
            minLength: 1,
          },
          toDeploymentId: {
            type: 'string',
            minLength: 1,
          },
        },
      },
      Deployment: {
        type: 'object',
        required: [
          'id',
          'entityRef',
          'environment',
          'image',
          'status',
          'requestedBy',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          image: {
            type: 'string',
          },
          replicas: {
            type: 'integer',
          },
          revision: {
            type: 'integer',
          },
          status: {
            type: 'string',
            enum: ['pending', 'rolling-out', 'succeeded', 'failed'],
          },
          requestedBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
          message: {
            type: 'string',
          },
          failureReason: {
            description: 'Why a failed rollout failed',
            type: 'string',
            enum: [
              'ImagePull',
              'CrashLoop',
              'ContainerConfig',
              'ProbeFailure',
              'Unschedulable',
              'Deadline',
              'Timeout',
            ],
          },
          logTail: {
            description: "The failing container's last log lines",
            type: 'string',
          },
          previousImage: {
            description: 'The image that ran in the environment before',
            type: 'string',
          },
          rollbackOf: {
            description:
              'On an automatic rollback, the deployment whose rollout failed',
            type: 'string',
          },
          reverts: {
            description:
              'On a requested rollback, the deployment it undoes (the one that ran before it)',
            type: 'string',
          },
          secretChange: {
            $ref: '#/components/schemas/DeploymentSecretChange',
          },
        },
      },
      EnvironmentStatus: {
        type: 'object',
        required: [
          'environment',
          'namespace',
          'requiresApproval',
          'replicas',
          'rolloutState',
        ],
        properties: {
          environment: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          requiresApproval: {
            type: 'boolean',
          },
          image: {
            type: 'string',
          },
          replicas: {
            type: 'object',
            required: ['desired', 'ready', 'updated', 'available'],
            properties: {
              desired: {
                type: 'integer',
              },
              ready: {
                type: 'integer',
              },
              updated: {
                type: 'integer',
              },
              available: {
                type: 'integer',
              },
            },
          },
          rolloutState: {
            type: 'string',
            enum: ['progressing', 'complete', 'failed', 'not-deployed'],
          },
          rolloutMessage: {
            type: 'string',
          },
          lastDeployment: {
            $ref: '#/components/schemas/Deployment',
          },
          url: {
            description: 'Where the service answers in this environment',
            type: 'string',
          },
          health: {
            $ref: '#/components/schemas/ServiceHealth',
          },
        },
      },
      ServiceHealth: {
        description: 'What the running service answered at <url>/healthz',
        type: 'object',
        required: ['healthy', 'checkedAt'],
        properties: {
          healthy: {
            type: 'boolean',
          },
          statusCode: {
            type: 'integer',
          },
          version: {
            type: 'string',
          },
          error: {
            type: 'string',
          },
          checkedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ApprovalRequest: {
        type: 'object',
        required: [
          'id',
          'entityRef',
          'fromEnvironment',
          'toEnvironment',
          'image',
          'requestedBy',
          'status',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          fromEnvironment: {
            type: 'string',
          },
          toEnvironment: {
            type: 'string',
          },
          image: {
            type: 'string',
          },
          requestedBy: {
            type: 'string',
          },
          status: {
            type: 'string',
            enum: ['pending', 'approved', 'rejected'],
          },
          decidedBy: {
            type: 'string',
          },
          decidedAt: {
            type: 'string',
            format: 'date-time',
          },
          decisionReason: {
            type: 'string',
            description: 'Why it was rejected, as the decider gave it.',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          deploymentId: {
            type: 'string',
          },
        },
      },
      RejectRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          reason: {
            type: 'string',
            minLength: 1,
            maxLength: 500,
            description: 'Why; shown in the approval, history and audit.',
          },
        },
      },
      PromotionResult: {
        description: 'Deployed right away, or an approval requested.',
        oneOf: [
          {
            type: 'object',
            required: ['type', 'deployment'],
            properties: {
              type: {
                type: 'string',
                enum: ['deployment'],
              },
              deployment: {
                $ref: '#/components/schemas/Deployment',
              },
            },
          },
          {
            type: 'object',
            required: ['type', 'approval'],
            properties: {
              type: {
                type: 'string',
                enum: ['approval'],
              },
              approval: {
                $ref: '#/components/schemas/ApprovalRequest',
              },
            },
          },
        ],
      },
      AuditEvent: {
        type: 'object',
        required: ['id', 'createdAt', 'actor', 'action', 'entityRef', 'result'],
        properties: {
          id: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          actor: {
            type: 'string',
          },
          action: {
            type: 'string',
            enum: [
              'deploy',
              'promote',
              'approve',
              'reject',
              'rollout',
              'rollback',
              'secret-change',
              'secret-rollback',
              'secret-rotate',
            ],
          },
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          image: {
            type: 'string',
          },
          result: {
            type: 'string',
            enum: ['succeeded', 'failed', 'pending'],
          },
          message: {
            type: 'string',
          },
          deploymentId: {
            type: 'string',
          },
          approvalId: {
            type: 'string',
          },
        },
      },
      CreateBuildRequest: {
        type: 'object',
        required: ['entityRef', 'commit', 'status'],
        properties: {
          entityRef: {
            type: 'string',
            pattern: '^[Cc][Oo][Mm][Pp][Oo][Nn][Ee][Nn][Tt]:[^:/]+/[^:/]+$',
            example: 'component:default/orders-api',
            'x-hint': 'component:<namespace>/<name>',
          },
          commit: {
            $ref: '#/components/schemas/BuildCommit',
            'x-hint': '{sha, message, author, time}',
          },
          status: {
            type: 'string',
            enum: ['running', 'succeeded', 'failed'],
          },
          image: {
            type: 'string',
            nullable: true,
            description: 'Required when status is succeeded.',
            example:
              'registry.paved.local/orders-api:3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
          },
          digest: {
            type: 'string',
            nullable: true,
            pattern: '^sha256:[a-f0-9]{64}$',
          },
          log: {
            type: 'string',
            nullable: true,
            description: 'The log so far.',
          },
          startedAt: {
            type: 'string',
            nullable: true,
            format: 'date-time',
            description: 'Default now.',
          },
          message: {
            type: 'string',
            nullable: true,
            description: 'For a build posted already finished, how it ended.',
          },
          finishedAt: {
            type: 'string',
            nullable: true,
            format: 'date-time',
            description: 'For a build posted already finished; default now.',
          },
        },
      },
      BuildCommit: {
        type: 'object',
        required: ['sha'],
        properties: {
          sha: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{7,40}$',
            'x-hint': 'the SHA of the commit built (git rev-parse HEAD)',
          },
          message: {
            type: 'string',
            nullable: true,
          },
          author: {
            type: 'string',
            nullable: true,
            example: 'Alice <alice@example.com>',
          },
          time: {
            type: 'string',
            nullable: true,
            format: 'date-time',
          },
        },
      },
      FinishBuildRequest: {
        type: 'object',
        required: ['status'],
        properties: {
          status: {
            type: 'string',
            enum: ['succeeded', 'failed'],
          },
          image: {
            type: 'string',
            nullable: true,
            description:
              'Required for succeeded unless the build was posted with one.',
          },
          digest: {
            type: 'string',
            nullable: true,
            pattern: '^sha256:[a-f0-9]{64}$',
          },
          message: {
            type: 'string',
            nullable: true,
            description: 'For a failed build, the cause.',
          },
          log: {
            type: 'string',
            nullable: true,
            description:
              'The last log lines, appended before the build is closed.',
          },
          finishedAt: {
            type: 'string',
            nullable: true,
            format: 'date-time',
            description: 'Default now.',
          },
        },
      },
      AppendBuildLogRequest: {
        type: 'object',
        required: ['text'],
        properties: {
          text: {
            type: 'string',
            'x-hint': 'the log text to append',
          },
        },
      },
      Build: {
        type: 'object',
        required: [
          'id',
          'entityRef',
          'commitSha',
          'status',
          'startedAt',
          'createdBy',
          'logSize',
          'logTruncated',
        ],
        additionalProperties: false,
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
          },
          entityRef: {
            type: 'string',
          },
          commitSha: {
            type: 'string',
            pattern: '^[0-9a-f]{7,40}$',
          },
          commitMessage: {
            type: 'string',
          },
          commitAuthor: {
            type: 'string',
          },
          commitTime: {
            type: 'string',
            format: 'date-time',
          },
          status: {
            type: 'string',
            enum: ['running', 'succeeded', 'failed'],
          },
          image: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
          durationMs: {
            type: 'integer',
            description: 'finishedAt − startedAt, once finished.',
          },
          createdBy: {
            type: 'string',
            description:
              'The service principal that posted it, e.g. paved-builder.',
          },
          logSize: {
            type: 'integer',
            description: 'Characters of log ever appended.',
          },
          logTruncated: {
            type: 'boolean',
            description:
              'The start of the log was dropped (the last 1 Mi characters are kept).',
          },
        },
      },
      BuildWithLog: {
        description: 'A Build with the log the backend kept.',
        type: 'object',
        required: [
          'id',
          'entityRef',
          'commitSha',
          'status',
          'startedAt',
          'createdBy',
          'logSize',
          'logTruncated',
          'log',
          'logOffset',
        ],
        additionalProperties: false,
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
          },
          entityRef: {
            type: 'string',
          },
          commitSha: {
            type: 'string',
            pattern: '^[0-9a-f]{7,40}$',
          },
          commitMessage: {
            type: 'string',
          },
          commitAuthor: {
            type: 'string',
          },
          commitTime: {
            type: 'string',
            format: 'date-time',
          },
          status: {
            type: 'string',
            enum: ['running', 'succeeded', 'failed'],
          },
          image: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
          durationMs: {
            type: 'integer',
            description: 'finishedAt − startedAt, once finished.',
          },
          createdBy: {
            type: 'string',
            description:
              'The service principal that posted it, e.g. paved-builder.',
          },
          logSize: {
            type: 'integer',
            description: 'Characters of log ever appended.',
          },
          logTruncated: {
            type: 'boolean',
            description:
              'The start of the log was dropped (the last 1 Mi characters are kept).',
          },
          log: {
            type: 'string',
            description: 'The kept log, from logOffset on.',
          },
          logOffset: {
            type: 'integer',
            description:
              'Where log starts in the whole log (0 unless truncated).',
          },
        },
      },
      BuildLogChunk: {
        type: 'object',
        required: [
          'text',
          'offset',
          'nextOffset',
          'truncated',
          'status',
          'finished',
        ],
        additionalProperties: false,
        properties: {
          text: {
            type: 'string',
          },
          offset: {
            type: 'integer',
            description:
              'Where text starts; later than asked when that part was dropped.',
          },
          nextOffset: {
            type: 'integer',
            description: 'Ask for this offset next.',
          },
          truncated: {
            type: 'boolean',
          },
          status: {
            type: 'string',
            enum: ['running', 'succeeded', 'failed'],
          },
          finished: {
            type: 'boolean',
          },
        },
      },
      SecretKeyChange: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'change'],
        properties: {
          key: {
            type: 'string',
          },
          change: {
            type: 'string',
            enum: ['added', 'changed', 'removed'],
          },
        },
      },
      AdoptionReport: {
        type: 'object',
        required: ['window', 'from', 'to', 'groups'],
        properties: {
          window: {
            type: 'integer',
          },
          from: {
            type: 'string',
            format: 'date-time',
          },
          to: {
            type: 'string',
            format: 'date-time',
          },
          templateRunsUnavailable: {
            description:
              "Why the golden paths' runs are missing (the scaffolder could not\nbe asked); each group's `templateRuns` is then null.\n",
            type: 'string',
          },
          groups: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'figures'],
              properties: {
                key: {
                  description: "organisation, or the team's entity ref",
                  type: 'string',
                },
                figures: {
                  $ref: '#/components/schemas/AdoptionFigures',
                },
              },
            },
          },
        },
      },
      AdoptionFigures: {
        type: 'object',
        required: [
          'services',
          'goldenPath',
          'goldenPathShare',
          'withDatabase',
          'databaseShare',
          'deploys',
          'templateRuns',
        ],
        properties: {
          services: {
            type: 'integer',
          },
          goldenPath: {
            type: 'integer',
          },
          goldenPathShare: {
            type: 'number',
            nullable: true,
          },
          withDatabase: {
            type: 'integer',
          },
          databaseShare: {
            type: 'number',
            nullable: true,
          },
          deploys: {
            type: 'object',
            required: ['portal', 'cli', 'other'],
            properties: {
              portal: {
                type: 'integer',
              },
              cli: {
                type: 'integer',
              },
              other: {
                type: 'integer',
              },
            },
          },
          templateRuns: {
            description:
              "Create Service and Provision Database runs in the window (the\nscaffolder's tasks of `template:default/create-service` and\n`template:default/provision-database`), per team by Create\nService's `owner` and by the owner of Provision Database's\n`component`.\n",
            type: 'object',
            nullable: true,
            required: ['createService', 'provisionDatabase', 'weekly'],
            properties: {
              createService: {
                type: 'integer',
              },
              provisionDatabase: {
                type: 'integer',
              },
              weekly: {
                description:
                  "Weeks counted back from the window's end (the oldest may be shorter), oldest first.",
                type: 'array',
                items: {
                  type: 'object',
                  required: ['weekStart', 'createService', 'provisionDatabase'],
                  properties: {
                    weekStart: {
                      type: 'string',
                      format: 'date-time',
                    },
                    createService: {
                      type: 'integer',
                    },
                    provisionDatabase: {
                      type: 'integer',
                    },
                  },
                },
              },
            },
          },
        },
      },
      DoraReport: {
        type: 'object',
        required: [
          'window',
          'from',
          'to',
          'environment',
          'groupBy',
          'tierSource',
          'definitions',
          'drillDownLimit',
          'groups',
        ],
        properties: {
          window: {
            type: 'integer',
          },
          from: {
            type: 'string',
            format: 'date-time',
          },
          to: {
            type: 'string',
            format: 'date-time',
          },
          environment: {
            description: 'The production environment the figures are of',
            type: 'string',
          },
          groupBy: {
            type: 'string',
            enum: ['organisation', 'team', 'system', 'service'],
          },
          tierSource: {
            type: 'string',
          },
          definitions: {
            type: 'object',
            required: [
              'deploymentFrequency',
              'leadTime',
              'changeFailureRate',
              'recoveryTime',
            ],
            properties: {
              deploymentFrequency: {
                type: 'string',
              },
              leadTime: {
                type: 'string',
              },
              changeFailureRate: {
                type: 'string',
              },
              recoveryTime: {
                type: 'string',
              },
            },
          },
          drillDownLimit: {
            description:
              "Each figure's lists of deployment ids and samples hold at most\nthis many, the newest; its counts and medians are of all.\n",
            type: 'integer',
          },
          groups: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DoraGroup',
            },
          },
        },
      },
      DoraGroup: {
        type: 'object',
        required: ['key', 'figures', 'trend'],
        properties: {
          key: {
            description:
              'organisation, or the team, system or service entity ref',
            type: 'string',
          },
          figures: {
            $ref: '#/components/schemas/DoraFigures',
          },
          trend: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DoraWeek',
            },
          },
        },
      },
      DoraTier: {
        type: 'string',
        nullable: true,
        enum: ['elite', 'high', 'medium', 'low', null],
      },
      DoraFigures: {
        type: 'object',
        required: [
          'deploymentFrequency',
          'leadTime',
          'changeFailureRate',
          'recoveryTime',
          'tier',
        ],
        properties: {
          deploymentFrequency: {
            type: 'object',
            required: ['count', 'perDay', 'deploymentIds'],
            properties: {
              count: {
                type: 'integer',
              },
              perDay: {
                type: 'number',
              },
              deploymentIds: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
          leadTime: {
            type: 'object',
            required: ['medianSeconds', 'samples'],
            properties: {
              medianSeconds: {
                type: 'number',
                nullable: true,
              },
              samples: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['deploymentId', 'commitTime', 'seconds'],
                  properties: {
                    deploymentId: {
                      type: 'string',
                    },
                    commitSha: {
                      type: 'string',
                    },
                    commitTime: {
                      type: 'string',
                      format: 'date-time',
                    },
                    seconds: {
                      type: 'number',
                    },
                  },
                },
              },
            },
          },
          changeFailureRate: {
            type: 'object',
            required: ['rate', 'failed', 'count', 'failedDeploymentIds'],
            properties: {
              rate: {
                type: 'number',
                nullable: true,
              },
              failed: {
                type: 'integer',
              },
              count: {
                type: 'integer',
              },
              failedDeploymentIds: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
          recoveryTime: {
            type: 'object',
            required: ['medianSeconds', 'samples', 'unrecoveredDeploymentIds'],
            properties: {
              medianSeconds: {
                type: 'number',
                nullable: true,
              },
              samples: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['deploymentId', 'recoveredBy', 'seconds'],
                  properties: {
                    deploymentId: {
                      type: 'string',
                    },
                    recoveredBy: {
                      type: 'string',
                    },
                    seconds: {
                      type: 'number',
                    },
                  },
                },
              },
              unrecoveredDeploymentIds: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
          },
          tier: {
            type: 'object',
            required: [
              'overall',
              'deploymentFrequency',
              'leadTime',
              'changeFailureRate',
              'recoveryTime',
            ],
            properties: {
              overall: {
                $ref: '#/components/schemas/DoraTier',
              },
              deploymentFrequency: {
                $ref: '#/components/schemas/DoraTier',
              },
              leadTime: {
                $ref: '#/components/schemas/DoraTier',
              },
              changeFailureRate: {
                $ref: '#/components/schemas/DoraTier',
              },
              recoveryTime: {
                $ref: '#/components/schemas/DoraTier',
              },
            },
          },
        },
      },
      DoraWeek: {
        type: 'object',
        required: [
          'weekStart',
          'deployments',
          'leadTimeMedianSeconds',
          'changeFailureRate',
          'recoveryMedianSeconds',
        ],
        properties: {
          weekStart: {
            type: 'string',
            format: 'date-time',
          },
          deployments: {
            type: 'integer',
          },
          leadTimeMedianSeconds: {
            type: 'number',
            nullable: true,
          },
          changeFailureRate: {
            type: 'number',
            nullable: true,
          },
          recoveryMedianSeconds: {
            type: 'number',
            nullable: true,
          },
        },
      },
      DeploymentSecretChange: {
        description:
          'On a deployment that restarted the service for a secret change; key names and versions only',
        type: 'object',
        additionalProperties: false,
        required: ['version', 'changes'],
        properties: {
          version: {
            type: 'integer',
          },
          previousVersion: {
            type: 'integer',
          },
          changes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SecretKeyChange',
            },
          },
          retireLogin: {
            description:
              "A database password rotation's old login role, set NOLOGIN once the restart succeeded",
            type: 'string',
          },
          note: {
            description: 'What else the change did or left, in words',
            type: 'string',
          },
        },
      },
      SecretKey: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'source', 'vaultPath', 'version', 'generated'],
        properties: {
          key: {
            description: 'The environment variable name',
            type: 'string',
          },
          source: {
            description:
              "`environment`: the environment's own secret; `service`: shared by every environment",
            type: 'string',
            enum: ['environment', 'service'],
          },
          vaultPath: {
            type: 'string',
          },
          version: {
            description: 'The KV version in which the key last changed',
            type: 'integer',
          },
          updatedAt: {
            type: 'string',
            format: 'date-time',
          },
          updatedBy: {
            description:
              'Absent when written outside the secrets API (Create Service, OpenTofu, the vault CLI)',
            type: 'string',
          },
          generated: {
            description: 'Paved generates the value, so rotate renews it',
            type: 'boolean',
          },
          overridden: {
            description:
              "A service-wide key the environment's own key of the same name overrides",
            type: 'boolean',
          },
        },
      },
      AlertmanagerWebhook: {
        type: 'object',
        required: ['version', 'status', 'alerts'],
        properties: {
          version: {
            type: 'string',
            enum: ['4'],
          },
          status: {
            type: 'string',
            enum: ['firing', 'resolved'],
          },
          receiver: {
            type: 'string',
          },
          groupKey: {
            type: 'string',
          },
          truncatedAlerts: {
            type: 'integer',
          },
          externalURL: {
            type: 'string',
          },
          groupLabels: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          commonLabels: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          commonAnnotations: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          alerts: {
            type: 'array',
            maxItems: 1000,
            items: {
              $ref: '#/components/schemas/AlertmanagerAlert',
            },
          },
        },
      },
      AlertmanagerAlert: {
        type: 'object',
        required: ['status', 'labels', 'startsAt', 'fingerprint'],
        properties: {
          status: {
            type: 'string',
            enum: ['firing', 'resolved'],
          },
          labels: {
            type: 'object',
            required: ['alertname', 'service', 'namespace'],
            properties: {
              alertname: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
              service: {
                type: 'string',
                minLength: 1,
                maxLength: 63,
              },
              namespace: {
                type: 'string',
                minLength: 1,
                maxLength: 63,
              },
            },
            additionalProperties: {
              type: 'string',
            },
          },
          annotations: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          startsAt: {
            type: 'string',
            format: 'date-time',
          },
          endsAt: {
            type: 'string',
          },
          generatorURL: {
            type: 'string',
          },
          fingerprint: {
            type: 'string',
            pattern: '^[0-9a-f]{1,32}$',
          },
        },
      },
      AlertsReceived: {
        type: 'object',
        additionalProperties: false,
        required: ['recorded', 'notified', 'unmatched'],
        properties: {
          recorded: {
            description: 'Alerts stored (new, or their state changed)',
            type: 'integer',
          },
          notified: {
            description: 'Notifications sent (a first firing, a resolution)',
            type: 'integer',
          },
          unmatched: {
            description: '`<namespace>/<service>` of alerts no entity claims',
            type: 'array',
            items: {
              type: 'string',
            },
          },
        },
      },
      ServiceAlert: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'entityRef',
          'environment',
          'alertname',
          'severity',
          'status',
          'summary',
          'startsAt',
          'updatedAt',
          'labels',
        ],
        properties: {
          id: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          alertname: {
            type: 'string',
          },
          severity: {
            type: 'string',
          },
          status: {
            type: 'string',
            enum: ['firing', 'resolved'],
          },
          summary: {
            type: 'string',
          },
          description: {
            type: 'string',
          },
          startsAt: {
            type: 'string',
            format: 'date-time',
          },
          resolvedAt: {
            type: 'string',
            format: 'date-time',
          },
          updatedAt: {
            type: 'string',
            format: 'date-time',
          },
          labels: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
        },
      },
      MetricsReport: {
        type: 'object',
        additionalProperties: false,
        required: ['window', 'stepSeconds', 'items'],
        properties: {
          window: {
            type: 'string',
            enum: ['1h', '6h', '1d', '7d', '30d'],
          },
          stepSeconds: {
            description: 'Seconds between the points of each series',
            type: 'integer',
          },
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/EnvironmentMetrics',
            },
          },
        },
      },
      EnvironmentMetrics: {
        type: 'object',
        additionalProperties: false,
        required: [
          'environment',
          'namespace',
          'traffic',
          'objectivePercent',
          'latencyThresholdSeconds',
          'series',
        ],
        properties: {
          environment: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          traffic: {
            description:
              '`none` when no request (probes aside) was answered in the window',
            type: 'string',
            enum: ['some', 'none'],
          },
          objectivePercent: {
            description: "The availability SLO of the service's tier",
            type: 'number',
          },
          latencyThresholdSeconds: {
            type: 'number',
          },
          requestRate: {
            description: 'Requests per second over the window',
            type: 'number',
          },
          errorRatio: {
            description:
              'Share of requests answered 5xx over the window (0..1)',
            type: 'number',
          },
          p99LatencySeconds: {
            type: 'number',
          },
          errorBudgetRemaining: {
            description:
              'Share of the availability error budget left over the window (1 = untouched, negative = overspent)',
            type: 'number',
          },
          series: {
            type: 'object',
            additionalProperties: false,
            required: ['requestRate', 'errorRatio', 'p99LatencySeconds'],
            properties: {
              requestRate: {
                $ref: '#/components/schemas/MetricSeries',
              },
              errorRatio: {
                $ref: '#/components/schemas/MetricSeries',
              },
              p99LatencySeconds: {
                $ref: '#/components/schemas/MetricSeries',
              },
            },
          },
        },
      },
      MetricSeries: {
        description:
          '[unix seconds, value] points, oldest first; gaps where there was no data',
        type: 'array',
        items: {
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: {
            type: 'number',
          },
        },
      },
      Pod: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'phase', 'ready', 'restarts', 'containers'],
        properties: {
          name: {
            type: 'string',
          },
          phase: {
            description: 'Pending, Running, Succeeded, Failed or Unknown',
            type: 'string',
          },
          ready: {
            description: 'Every container is ready',
            type: 'boolean',
          },
          restarts: {
            description: 'Restarts of all its containers together',
            type: 'integer',
          },
          containers: {
            description: "Its containers' names; the first is the service's",
            type: 'array',
            items: {
              type: 'string',
            },
          },
          startedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      LogLine: {
        type: 'object',
        additionalProperties: false,
        required: ['time', 'pod', 'container', 'text'],
        properties: {
          time: {
            description:
              'When the container runtime recorded the line (RFC 3339, nanoseconds)',
            type: 'string',
          },
          pod: {
            type: 'string',
          },
          container: {
            type: 'string',
          },
          text: {
            description: 'The line, without its newline',
            type: 'string',
          },
        },
      },
      SecretList: {
        type: 'object',
        additionalProperties: false,
        required: ['environment', 'vaultPath', 'items'],
        properties: {
          environment: {
            type: 'string',
          },
          vaultPath: {
            description: "The environment's own secret",
            type: 'string',
          },
          version: {
            description: 'Its current KV version; absent until a key is set',
            type: 'integer',
          },
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SecretKey',
            },
          },
        },
      },
      SecretKeyName: {
        description:
          'An environment variable name (the router checks it, naming the fix)',
        type: 'string',
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        example: 'API_TOKEN',
      },
      SecretChangeRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          set: {
            description:
              'Keys (environment variable names: letters, digits and `_`, not\nstarting with a digit, at most 128 characters) to values\n(non-empty, at most 64 KiB). The router checks both\n(`secretKeyProblem`, `secretValueProblem` in deployments-common):\na 400 naming the key and the fix, never quoting the value.\n',
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
          },
          unset: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SecretKeyName',
            },
          },
          dryRun: {
            type: 'boolean',
          },
        },
      },
      SecretRollbackRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          toVersion: {
            description:
              'The version whose data to restore; 0 for no keys of its own. Default the one before the current one.',
            type: 'integer',
            minimum: 0,
          },
          dryRun: {
            type: 'boolean',
          },
        },
      },
      SecretRotateRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          keys: {
            description:
              'Default every generated key the pods get; `DATABASE_PASSWORD` only when named.',
            type: 'array',
            items: {
              $ref: '#/components/schemas/SecretKeyName',
            },
          },
          dryRun: {
            type: 'boolean',
          },
        },
      },
      SecretChangeResult: {
        type: 'object',
        additionalProperties: false,
        required: ['dryRun', 'environment', 'changes', 'restarts'],
        properties: {
          dryRun: {
            type: 'boolean',
          },
          environment: {
            type: 'string',
          },
          changes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SecretKeyChange',
            },
          },
          restarts: {
            description: 'The Deployments restarted (or that would restart)',
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['namespace', 'name'],
              properties: {
                namespace: {
                  type: 'string',
                },
                name: {
                  type: 'string',
                },
              },
            },
          },
          previousVersion: {
            type: 'integer',
          },
          version: {
            description: 'The KV version written; absent on a dry run',
            type: 'integer',
          },
          deploymentId: {
            description: 'The restart, watched like a deploy',
            type: 'string',
          },
        },
      },
    },
  },
} as const;

/** An express router typed by the spec's operations (see backend-openapi-utils). */
export const createOpenApiRouter = async (
  options?: Parameters<
    typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
  >['1'],
) =>
  createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
    spec as any,
    options,
  );
