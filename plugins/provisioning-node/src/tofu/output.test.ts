import { errorBlocks, outputsOf, summarisePlan, tofuFailure } from './output';

// OpenTofu's output, parsed without running tofu (the real runs:
// TofuRunner.platform.test.ts).

const failed = (output: string) =>
  tofuFailure({
    output,
    args: ['apply', '-input=false', 'paved.tfplan'],
    code: 1,
    workspace: 'orders-api',
    stateSchema: 'tofu_service_namespace',
    moduleDir: '/repo/templates/modules/service-namespace',
    lockTimeoutSeconds: 60,
  });

describe('errorBlocks', () => {
  it('keeps the Error blocks and drops warnings', () => {
    const text = [
      'Initializing...',
      'Warning: Deprecated attribute',
      '  something old',
      'Error: Invalid value for input variable',
      '',
      '  on main.tf line 3:',
      '',
      'Error: second',
      '  detail',
    ].join('\n');
    expect(errorBlocks(text)).toEqual([
      'Error: Invalid value for input variable\n\n  on main.tf line 3:',
      'Error: second\n  detail',
    ]);
  });
});

describe('summarisePlan', () => {
  it("counts as tofu's Plan line does, a replacement as an add and a destroy", () => {
    expect(
      summarisePlan({
        resource_changes: [
          { address: 'a.one', change: { actions: ['create'] } },
          { address: 'a.two', change: { actions: ['update'] } },
          { address: 'a.three', change: { actions: ['delete', 'create'] } },
          { address: 'a.four', change: { actions: ['no-op'] } },
          { address: 'a.five', change: { actions: ['delete'] } },
        ],
      }),
    ).toEqual({
      add: 2,
      change: 1,
      destroy: 2,
      changes: [
        { address: 'a.one', action: 'create' },
        { address: 'a.two', action: 'update' },
        { address: 'a.three', action: 'replace' },
        { address: 'a.five', action: 'delete' },
      ],
    });
  });

  it('is empty without resource changes', () => {
    expect(summarisePlan({})).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      changes: [],
    });
  });
});

describe('outputsOf', () => {
  it('keeps each value and whether it is sensitive', () => {
    expect(
      outputsOf({
        namespace: { value: 'orders-api-staging', type: 'string' },
        password: { value: 'x', sensitive: true },
      }),
    ).toEqual({
      namespace: { value: 'orders-api-staging', sensitive: false },
      password: { value: 'x', sensitive: true },
    });
  });
});

describe('tofuFailure', () => {
  it('is a ConflictError with the lock info when another run holds the state lock', () => {
    const error = failed(
      [
        'Error: Error acquiring the state lock',
        '',
        'Lock Info:',
        '  ID:        1',
        '  Who:       root@ci',
        '  Operation: OperationTypeApply',
        '  Created:   2026-03-01 12:00:00',
      ].join('\n'),
    );
    expect(error.name).toBe('ConflictError');
    expect(error.message).toContain(
      'OpenTofu workspace "orders-api" (state schema tofu_service_namespace) is locked by another run; gave up waiting after 60 s',
    );
    expect(error.message).toContain(
      'Who: root@ci, Operation: OperationTypeApply, Created: 2026-03-01 12:00:00',
    );
  });

  it('is a ConflictError when the saved plan went stale', () => {
    expect(failed('Error: Saved plan is stale\n')).toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('run again to plan'),
    });
  });

  it('is an InputError naming each variable that is wrong or missing', () => {
    const error = failed(
      [
        'Error: Invalid value for input variable',
        '',
        '  on terraform.tfvars.json line 2:',
        '   2:   "tier": "gold",',
        '',
        'The given value is not suitable for var.tier declared at variables.tf:1,1-16:',
        'must be standard or critical.',
        '',
        'Error: No value for required variable',
        '',
        '  on variables.tf line 9:',
        '   9: variable "name" {',
        '',
        'The root module input variable "name" is not set.',
      ].join('\n'),
    );
    expect(error.name).toBe('InputError');
    expect(error.message).toBe(
      'Invalid input for OpenTofu module service-namespace: variable "tier": The given value is not suitable for var.tier declared at variables.tf:1,1-16: must be standard or critical.; variable "name" is required but was not given',
    );
  });

  it("is an Error with tofu's error blocks otherwise", () => {
    const error = failed(
      'Refreshing...\nError: connection refused\n  dial tcp 127.0.0.1:5432\n',
    );
    expect(error.name).toBe('Error');
    expect(error.message).toBe(
      'tofu apply -input=false paved.tfplan failed (exit code 1) in workspace "orders-api" (state schema tofu_service_namespace):\nError: connection refused\n  dial tcp 127.0.0.1:5432',
    );
  });

  it('falls back to the last lines when tofu printed no Error block', () => {
    expect(failed('one\ntwo\n').message).toMatch(/:\none\ntwo$/);
  });
});
