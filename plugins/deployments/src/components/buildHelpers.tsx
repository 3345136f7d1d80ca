import {
  StatusError,
  StatusOK,
  StatusRunning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { BuildStatus } from '@paved/plugin-deployments-common';

/** How often a running build's log and the list of builds are read again. */
export const BUILD_LOG_POLL_MS = 1000;
export const BUILDS_POLL_MS = 3000;
/** While nothing runs: often enough to show the build a push just started. */
export const BUILDS_IDLE_POLL_MS = 15_000;

/** The first 7 characters, as git shows a commit. */
export const shortSha = (sha: string) => sha.slice(0, 7);

/** The subject line of a commit message. */
export const firstLine = (message: string | undefined) =>
  message?.split('\n')[0].trim() ?? '';

/** `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** A chip with a status icon and word for a build. */
export function BuildStatusChip(props: { status: BuildStatus }) {
  const { status } = props;
  let label;
  if (status === 'succeeded') label = <StatusOK>succeeded</StatusOK>;
  else if (status === 'failed') label = <StatusError>failed</StatusError>;
  else label = <StatusRunning>running</StatusRunning>;
  return <Chip size="small" variant="outlined" label={label} />;
}
