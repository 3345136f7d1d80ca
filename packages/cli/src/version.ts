declare const PAVED_CLI_VERSION: string;

/** The package's version, set by the bundler (scripts/build.mjs). */
export const VERSION =
  typeof PAVED_CLI_VERSION === 'string' ? PAVED_CLI_VERSION : '0.0.0-dev';
