import { CommanderError } from 'commander';
import { completionScript, completionWords } from './completion';
import { parseAssignments } from './commands/secrets';
import { EXIT, fromBackendError } from './errors';
import { ago, createOutput, table } from './output';
import { createProgram } from './program';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitRootOf, inferService, parseServiceRef } from './service';

describe('argument parsing', () => {
  const parse = (...args: string[]) => {
    const program = createProgram();
    program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    program.commands.forEach(c =>
      c.configureOutput({ writeErr: () => {}, writeOut: () => {} }),
    );
    return program.parseAsync(args, { from: 'user' });
  };

  it('refuses unknown flags and commands as usage errors (main maps them to exit 2)', async () => {
    await expect(parse('status', '--bogus')).rejects.toBeInstanceOf(
      CommanderError,
    );
    await expect(parse('deploi')).rejects.toMatchObject({
      code: 'commander.unknownCommand',
    });
    await expect(parse('approve')).rejects.toMatchObject({
      code: 'commander.missingArgument',
    });
  });

  it('reads services as names or entity refs', () => {
    expect(parseServiceRef('orders-api')).toEqual({
      kind: 'component',
      namespace: 'default',
      name: 'orders-api',
    });
    expect(parseServiceRef('component:shop/cart')).toEqual({
      kind: 'component',
      namespace: 'shop',
      name: 'cart',
    });
    expect(() => parseServiceRef('not a name')).toThrow(/not a service name/);
  });

  it('finds the service in the catalog-info.yaml at the root of the git repository it runs in', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paved-cli-test-'));
    try {
      const repo = path.join(dir, 'orders');
      const deep = path.join(repo, 'src', 'api');
      mkdirSync(deep, { recursive: true });
      expect(gitRootOf(deep)).toBeUndefined();
      await expect(inferService(deep)).rejects.toThrow(/no catalog-info\.yaml/);
      // A worktree's .git is a file.
      writeFileSync(path.join(repo, '.git'), 'gitdir: /elsewhere\n');
      expect(gitRootOf(deep)).toBe(repo);
      writeFileSync(
        path.join(repo, 'catalog-info.yaml'),
        'kind: System\nmetadata: { name: shop }\n---\nkind: Component\nmetadata: { name: orders-api, namespace: shop }\n',
      );
      expect(await inferService(deep)).toEqual({
        kind: 'component',
        namespace: 'shop',
        name: 'orders-api',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads KEY=VALUE pairs, and one KEY from stdin without its trailing newline', async () => {
    await expect(
      parseAssignments(['A=1', 'B=x=y', 'TOKEN'], async () => 'secret\n'),
    ).resolves.toEqual({ A: '1', B: 'x=y', TOKEN: 'secret' });
    await expect(parseAssignments(['A', 'B'])).rejects.toMatchObject({
      exitCode: EXIT.usage,
    });
    await expect(parseAssignments(['=1'])).rejects.toMatchObject({
      exitCode: EXIT.usage,
    });
  });
});

describe('exit codes from the backend', () => {
  it('go by the error name, not the wording', () => {
    expect(fromBackendError(400, 'InputError', 'x').exitCode).toBe(2);
    expect(fromBackendError(403, 'NotAllowedError', 'x').exitCode).toBe(3);
    expect(fromBackendError(401, 'AuthenticationError', 'x').exitCode).toBe(3);
    expect(fromBackendError(404, 'NotFoundError', 'x').exitCode).toBe(4);
    expect(
      fromBackendError(409, 'DeploymentInProgressError', 'x').exitCode,
    ).toBe(1);
    expect(fromBackendError(503, 'ServiceUnavailableError', 'x').exitCode).toBe(
      1,
    );
    // Unnamed answers fall back to the status.
    expect(fromBackendError(401, undefined, 'x').exitCode).toBe(3);
    expect(fromBackendError(404, undefined, 'x').exitCode).toBe(4);
    expect(fromBackendError(500, undefined, 'x').exitCode).toBe(1);
    expect(fromBackendError(403, 'NotAllowedError', 'x').suggestion).toMatch(
      /owners|platform team/,
    );
  });
});

describe('output', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return {
      written,
      stream: {
        isTTY,
        write: (s: string) => written.push(s),
      } as unknown as NodeJS.WriteStream,
    };
  };

  it('colours only on a TTY, and never with NO_COLOR or --json', () => {
    const tty = stream(true);
    expect(
      createOutput({ json: false, stdout: tty.stream, env: {} }).green('ok'),
    ).toBe('\u001b[32mok\u001b[0m');
    const pipe = stream(false);
    expect(
      createOutput({ json: false, stdout: pipe.stream, env: {} }).green('ok'),
    ).toBe('ok');
    expect(
      createOutput({
        json: false,
        stdout: tty.stream,
        env: { NO_COLOR: '1' },
      }).green('ok'),
    ).toBe('ok');
    expect(
      createOutput({ json: true, stdout: tty.stream, env: {} }).green('ok'),
    ).toBe('ok');
  });

  it('prints people lines or one JSON document, never both', () => {
    const out = stream(false);
    const human = createOutput({ json: false, stdout: out.stream, env: {} });
    human.say('hello');
    human.result({ a: 1 });
    expect(out.written).toEqual(['hello\n']);
    const json = stream(false);
    const machine = createOutput({ json: true, stdout: json.stream, env: {} });
    machine.say('hello');
    machine.result({ a: 1 });
    expect(JSON.parse(json.written.join(''))).toEqual({ a: 1 });
  });

  it('pads columns ignoring colour codes, and says how long ago', () => {
    expect(
      table([
        ['A', 'BB'],
        ['\u001b[32mccc\u001b[0m', 'd'],
      ]),
    ).toEqual(['A    BB', '\u001b[32mccc\u001b[0m  d']);
    const now = Date.parse('2026-11-29T03:00:00Z');
    expect(ago('2026-11-29T02:59:30Z', now)).toBe('30s ago');
    expect(ago('2026-11-29T01:00:00Z', now)).toBe('2h ago');
    expect(ago(undefined, now)).toBe('-');
  });
});

describe('completion', () => {
  it('knows every command path and its options', () => {
    const words = completionWords(createProgram());
    expect(words.get('')).toEqual(
      expect.arrayContaining(['deploy', 'status', 'logs', 'secrets', '--json']),
    );
    expect(words.get('deploy')).toEqual(
      expect.arrayContaining([
        'promote',
        'rollback',
        'watch',
        '--env',
        '--image',
      ]),
    );
    expect(words.get('secrets set')).toEqual(
      expect.arrayContaining(['--env', '--dry-run']),
    );
    expect(completionScript(createProgram(), 'zsh')).toMatch(
      /^autoload -U \+X bashcompinit/,
    );
    expect(completionScript(createProgram(), 'bash')).toMatch(
      /complete -F _paved_complete paved/,
    );
  });
});
