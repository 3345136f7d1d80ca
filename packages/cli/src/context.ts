import { Command } from 'commander';
import { createOutput, Output } from './output';
import { Portal } from './portal';

/** The options every command has (see program.ts). */
export interface GlobalOptions {
  json?: boolean;
  portal?: string;
  yes?: boolean;
}

/** What a command's action gets: its output and the portal, made once. */
export interface Context {
  out: Output;
  portal: () => Promise<Portal>;
  options: GlobalOptions;
}

export function contextOf(command: Command): Context {
  const options = command.optsWithGlobals() as GlobalOptions;
  const out = createOutput({ json: Boolean(options.json) });
  let portal: Promise<Portal> | undefined;
  return {
    out,
    options,
    portal: () => (portal ??= Portal.create(options.portal)),
  };
}
