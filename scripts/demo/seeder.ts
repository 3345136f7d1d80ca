/*
 * The demo organization's running services, made on first start through
 * Paved's own APIs as its people would (nothing is inserted into a database):
 *
 *   orders-api (TypeScript, storefront-team) and ledger-api (Go, payments-team):
 *   1. Create Service, as a team member: repository, build, namespaces,
 *      credentials, the first deploy to staging.
 *   2. Promotion to production by that member, approved by another one.
 *   3. orders-api only: a change pushed and deployed to staging by a second
 *      member, then rolled back to the first version by a third.
 *
 * So the Environments view a newcomer opens first shows versions in staging
 * and production, and a history with a promotion, an approval by another user
 * and a rollback. Idempotent: a service already in the catalog is left as it
 * is. `scripts/paved start` runs it in the background once the portal answers
 * (log: $PAVED_RUN/logs/demo-seed.log); the browser tests run it too.
 *
 * The command is scripts/demo/seed.ts; this file is what it and the browser
 * tests share. Node builtins and fetch only (and, types only,
 * the deployments API's generated types: Node strips them).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  OperationId,
  Operations,
} from '../../plugins/deployments-common/src/schema/index.ts';

/** A concrete path of a path template: `/builds/{id}` → `/builds/${string}`. */
type Route<T extends string> = T extends `${infer A}{${string}}${infer B}`
  ? `${A}${string}${Route<B>}`
  : T;

export interface DemoService {
  name: string;
  language: 'typescript' | 'go' | 'python';
  owner: string;
  description: string;
  /** Creates it and requests the promotion. */
  author: string;
  /** Approves the promotion (another member of the owning team). */
  approver: string;
  /** Given: pushes a change and deploys it to staging, then `rollbackBy` rolls it back. */
  change?: { by: string; rollbackBy: string; message: string };
}

export const DEMO_SERVICES: DemoService[] = [
  {
    name: 'orders-api',
    language: 'typescript',
    owner: 'storefront-team',
    description: 'Takes and tracks the storefront orders',
    author: 'diego-alvarez',
    approver: 'hannah-kim',
    change: {
      by: 'hannah-kim',
      rollbackBy: 'tom-becker',
      message: 'Log each order at info level',
    },
  },
  {
    name: 'ledger-api',
    language: 'go',
    owner: 'payments-team',
    description: 'Double-entry ledger of the payments team',
    author: 'aisha-bello',
    approver: 'jonas-lindqvist',
  },
];

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export class DemoSeeder {
  private readonly tokens = new Map<string, string>();

  private readonly backend: string;
  private readonly git: string;
  private readonly log: (message: string) => void;

  constructor(
    backend: string,
    git: string,
    log: (message: string) => void = m => process.stdout.write(`[demo] ${m}\n`),
  ) {
    this.backend = backend;
    this.git = git;
    this.log = log;
  }

  /** Forgets the tokens (one issued before the catalog had the user carries no ownership). */
  resetTokens() {
    this.tokens.clear();
  }

  /** A user's token from the local sign-in (auth.providers.localUser). */
  async token(user: string) {
    let token = this.tokens.get(user);
    if (!token) {
      const res = await fetch(`${this.backend}/api/auth/localUser/refresh`, {
        headers: {
          'x-requested-with': 'XMLHttpRequest',
          'x-paved-local-user': user,
        },
      });
      if (!res.ok)
        throw new Error(
          `signing in as ${user}: HTTP ${res.status} ${await res.text()}`,
        );
      token = ((await res.json()) as any).backstageIdentity.token as string;
      this.tokens.set(user, token);
    }
    return token;
  }

  private async call(
    user: string,
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.backend}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: json };
  }

  private async ok(
    user: string,
    method: string,
    route: string,
    body?: unknown,
  ) {
    const r = await this.call(user, method, route, body);
    if (r.status >= 300)
      throw new Error(
        `${method} ${route} as ${user}: HTTP ${r.status} ${JSON.stringify(
          r.body,
        )}`,
      );
    return r.body;
  }

  private async poll<T>(
    what: string,
    timeoutMs: number,
    fn: () => Promise<T | undefined>,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await sleep(1000);
    }
  }

  /**
   * An operation of the deployments API (its openapi.yaml): the method, the
   * route (checked against the operation's path template), the body and the
   * answer are typed by the spec's generated types, so tsc fails here when
   * the API changes (types only: Node strips them).
   */
  private deployments<K extends OperationId>(
    user: string,
    _operation: K,
    method: Operations[K]['method'],
    route:
      | Route<Operations[K]['path']>
      | `${Route<Operations[K]['path']>}?${string}`,
    ...body: Operations[K] extends { body: infer B } ? [B] : []
  ): Promise<Operations[K]['response']> {
    return this.ok(user, method, `/api/deployments${route}`, body[0]);
  }

  private history(user: string, name: string, environment: string) {
    return this.deployments(
      user,
      'ListDeployments',
      'GET',
      `/entities/component/default/${name}/deployments?environment=${environment}&limit=20`,
    ).then(page => page.items);
  }

  /** The deployment `id`, once it has ended; an error if it failed. */
  private async finished(user: string, id: string) {
    const d = await this.poll(`deployment ${id}`, 600_000, async () => {
      const got = await this.deployments(
        user,
        'GetDeployment',
        'GET',
        `/deployments/${id}`,
      );
      return got.status === 'rolling-out' ? undefined : got;
    });
    if (d.status !== 'succeeded')
      throw new Error(
        `deployment ${id} of ${d.image} ${d.status}: ${d.message}`,
      );
    return d;
  }

  async exists(name: string) {
    const r = await this.call(
      'guest',
      'GET',
      `/api/catalog/entities/by-name/component/default/${name}`,
    );
    return r.status === 200;
  }

  async seed(services: DemoService[] = DEMO_SERVICES) {
    for (const service of services) {
      if (await this.exists(service.name)) {
        this.log(`${service.name}: in the catalog already`);
        continue;
      }
      if (this.repositoryExists(service.name)) {
        // A run that stopped half-way, or a portal database reset while the platform
        // kept its data: Create Service resumes a repository it made for the same owner.
        this.log(
          `${service.name}: its repository exists, Create Service resumes it`,
        );
      }
      await this.seedOne(service);
    }
  }

  private async seedOne(s: DemoService) {
    const ref = `component:default/${s.name}`;
    this.log(`${s.name}: Create Service as ${s.author}`);
    const task = await this.ok(s.author, 'POST', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/create-service',
      values: {
        name: s.name,
        owner: `group:default/${s.owner}`,
        description: s.description,
        language: s.language,
        database: 'none',
        tier: 'experimental',
      },
    });
    const status = await this.poll(
      `Create Service ${s.name}`,
      900_000,
      async () => {
        const t = await this.ok(
          s.author,
          'GET',
          `/api/scaffolder/v2/tasks/${task.id}`,
        );
        return ['completed', 'failed', 'cancelled'].includes(t.status)
          ? t.status
          : undefined;
      },
    );
    if (status !== 'completed')
      throw new Error(
        `Create Service ${s.name} ${status}: see task ${task.id} in the portal`,
      );
    const [first] = await this.history(s.author, s.name, 'staging');
    await this.finished(s.author, first.id);

    this.log(
      `${s.name}: promotion to production by ${s.author}, approved by ${s.approver}`,
    );
    const promotion = await this.deployments(
      s.author,
      'CreatePromotion',
      'POST',
      '/promotions',
      {
        entityRef: ref,
        from: 'staging',
        to: 'production',
      },
    );
    if (promotion.type === 'approval') {
      await this.deployments(
        s.approver,
        'ApproveApproval',
        'POST',
        `/approvals/${promotion.approval.id}/approve`,
      );
    }
    const [live] = await this.poll(
      `the production deploy of ${s.name}`,
      120_000,
      async () => {
        const items = await this.history(s.author, s.name, 'production');
        return items.length ? items : undefined;
      },
    );
    await this.finished(s.author, live.id);

    if (s.change) {
      const { by, rollbackBy, message } = s.change;
      this.log(
        `${s.name}: ${by} pushes "${message}" and deploys it to staging`,
      );
      const commit = this.push(s, by, message);
      const build = await this.poll(
        `the build of ${commit}`,
        900_000,
        async () => {
          const page = await this.deployments(
            by,
            'ListBuilds',
            'GET',
            `/entities/component/default/${s.name}/builds?limit=5`,
          );
          const b = page.items.find(x => commit.startsWith(x.commitSha));
          return b && b.status !== 'running' ? b : undefined;
        },
      );
      if (build.status !== 'succeeded')
        throw new Error(
          `the build of ${commit} ${build.status}: ${build.message}`,
        );
      const second = await this.deployments(
        by,
        'CreateDeployment',
        'POST',
        '/deployments',
        { entityRef: ref, environment: 'staging', image: build.image! },
      );
      await this.finished(by, second.id);

      this.log(
        `${s.name}: ${rollbackBy} rolls staging back to the first version`,
      );
      const rollback = await this.deployments(
        rollbackBy,
        'CreateRollback',
        'POST',
        '/rollbacks',
        {
          entityRef: ref,
          environment: 'staging',
          toDeploymentId: first.id,
        },
      );
      await this.finished(rollbackBy, rollback.id);
    }
    this.log(`${s.name}: done`);
  }

  private repositoryExists(name: string) {
    try {
      execFileSync('git', ['ls-remote', `${this.git}/paved/${name}.git`], {
        stdio: 'ignore',
      });
      return true;
    } catch {
      return false;
    }
  }

  /** A commit pushed to main as `user` (the git remote builds it). */
  private push(s: DemoService, user: string, message: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-demo-'));
    try {
      const git = (...args: string[]) =>
        execFileSync(
          'git',
          [
            '-c',
            `user.name=${user}`,
            '-c',
            `user.email=${user}@acme.example`,
            ...args,
          ],
          { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
      git('clone', '--quiet', `${this.git}/paved/${s.name}.git`, '.');
      fs.appendFileSync(path.join(dir, 'README.md'), `\n- ${message}\n`);
      git('commit', '--quiet', '-am', message);
      git('push', '--quiet', 'origin', 'main');
      return git('rev-parse', 'HEAD').trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
