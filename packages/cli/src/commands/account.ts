import { Command } from 'commander';
import {
  readCredentials,
  removeCredentials,
  writeCredentials,
} from '../config';
import { contextOf } from '../context';
import { CliError, EXIT } from '../errors';

export function addAccountCommands(program: Command) {
  program
    .command('login')
    .description("Sign in through the portal's sign-in page (a browser opens)")
    .option('--no-browser', 'print the URL to open instead of opening it')
    .addHelpText(
      'after',
      `
The token is kept in $XDG_CONFIG_HOME/paved/credentials.json (mode 0600) and
refreshed when it expires. In CI, set PAVED_TOKEN instead.

Examples:
  paved login
  paved login --portal https://portal.acme.example --no-browser`,
    )
    .action(async (opts, command: Command) => {
      const ctx = contextOf(command);
      const portal = await ctx.portal();
      const { login } = await import('../login');
      const credentials = await login({
        portal,
        openBrowser: opts.browser,
        say: line => ctx.out.note(line),
      });
      const file = await writeCredentials(credentials);
      ctx.out.say(
        `${ctx.out.green('✔')} Signed in to ${portal.baseUrl} as ${
          credentials.user ?? 'unknown'
        }`,
      );
      ctx.out.result({
        portal: portal.baseUrl,
        user: credentials.user,
        credentials: file,
        refreshable: Boolean(credentials.refreshToken),
      });
    });

  program
    .command('logout')
    .description('Forget the stored sign-in (and revoke its refresh token)')
    .action(async (_opts, command: Command) => {
      const ctx = contextOf(command);
      const stored = await readCredentials();
      if (stored?.refreshToken) {
        const portal = await ctx.portal();
        await portal
          .raw('/api/auth/v1/revoke', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              token: stored.refreshToken,
              client_id: stored.clientId,
            }),
          })
          .catch(() => undefined);
      }
      await removeCredentials();
      ctx.out.say(stored ? `Signed out of ${stored.portal}` : 'Not signed in');
      ctx.out.result({ signedOut: Boolean(stored) });
    });

  program
    .command('whoami')
    .description('Who the portal takes you for, and where the token comes from')
    .action(async (_opts, command: Command) => {
      const ctx = contextOf(command);
      const portal = await ctx.portal();
      const token = await portal.accessToken();
      const answer = await portal.raw('/api/auth/v1/userinfo', {
        headers: { authorization: `Bearer ${token}` },
      });
      if (answer.status === 401 || answer.status === 403) {
        throw new CliError(
          'the portal does not accept your token',
          EXIT.notPermitted,
          'run paved login (or check PAVED_TOKEN)',
        );
      }
      const info = answer.ok ? ((await answer.json()) as { sub?: string }) : {};
      const { expiryOfToken, userOfToken } = await import('../login');
      const user = info.sub ?? userOfToken(token);
      const expires = expiryOfToken(token);
      const source = process.env.PAVED_TOKEN ? 'PAVED_TOKEN' : 'paved login';
      ctx.out.say(
        `${user} on ${portal.baseUrl} (token from ${source}${
          expires ? `, valid until ${expires.toISOString()}` : ''
        })`,
      );
      ctx.out.result({
        user,
        portal: portal.baseUrl,
        source,
        expiresAt: expires?.toISOString(),
      });
    });
}
