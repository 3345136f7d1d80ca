/** The documented exit codes (README, `paved --help`). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notPermitted: 3,
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports in one line on stderr, with what to do and its exit code; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly suggestion?: string,
    /** The backend's error name, when the portal answered with one. */
    readonly errorName?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The exit code and a suggestion for an error the portal answered with, told
 * apart by the @backstage/errors name in its body (never by its words).
 */
export function fromBackendError(
  status: number,
  name: string | undefined,
  message: string,
): CliError {
  switch (name) {
    case 'InputError':
      return new CliError(
        message,
        EXIT.usage,
        'fix the field the message names and run it again',
        name,
      );
    case 'AuthenticationError':
      return new CliError(
        message,
        EXIT.notPermitted,
        'sign in again: paved login',
        name,
      );
    case 'NotAllowedError':
      return new CliError(
        message,
        EXIT.notPermitted,
        "ask the service's owners or the platform team (paved whoami shows who you are)",
        name,
      );
    case 'NotFoundError':
      return new CliError(
        message,
        EXIT.notFound,
        'check the name (paved status SERVICE lists what exists)',
        name,
      );
    case 'DeploymentInProgressError':
      return new CliError(
        message,
        EXIT.failed,
        'wait for it: paved status',
        name,
      );
    case 'ConflictError':
      return new CliError(message, EXIT.failed, undefined, name);
    case 'ServiceUnavailableError':
      return new CliError(
        message,
        EXIT.failed,
        'try again in a moment; the platform says a part of it is down',
        name,
      );
    default:
  }
  if (status === 401) {
    return new CliError(
      message,
      EXIT.notPermitted,
      'sign in again: paved login',
      name,
    );
  }
  if (status === 403)
    return new CliError(message, EXIT.notPermitted, undefined, name);
  if (status === 404)
    return new CliError(message, EXIT.notFound, undefined, name);
  if (status === 400) return new CliError(message, EXIT.usage, undefined, name);
  return new CliError(message, EXIT.failed, undefined, name);
}
