import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** Exit code; null when the process died of a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  aborted: boolean;
}

export interface ProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Called with every complete line of stderr, and of stdout unless `quietStdout`. */
  onLine: (line: string) => void;
  /** Collect stdout without passing it to `onLine` (machine-readable output with secrets). */
  quietStdout?: boolean;
  signal?: AbortSignal;
  /** After an abort: how long tofu may take to stop cleanly before it is killed. */
  abortGraceMs: number;
}

function lineSplitter(onLine: (line: string) => void) {
  let carry = '';
  return {
    push(chunk: string) {
      const lines = (carry + chunk).split(/\r?\n/);
      carry = lines.pop() ?? '';
      lines.forEach(onLine);
    },
    end() {
      if (carry) onLine(carry);
      carry = '';
    },
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    // The child leads its own process group: this reaches tofu's provider plugins too.
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs a command, streaming its output line by line. An abort sends SIGINT
 * (tofu then stops at a safe point, writes its state and releases the lock),
 * and SIGKILL to the whole process group after `abortGraceMs`.
 */
export function runProcess(
  command: string,
  args: string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ code: null, stdout: '', stderr: '', aborted: true });
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const emit = (line: string) => {
      try {
        options.onLine(line);
      } catch {
        // a failing log callback must not break the run
      }
    };
    const out = lineSplitter(emit);
    const err = lineSplitter(emit);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.quietStdout) out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      err.push(chunk);
    });

    const onAbort = () => {
      aborted = true;
      try {
        child.kill('SIGINT');
      } catch {
        // already gone
      }
      killTimer = setTimeout(
        () => killGroup(child.pid, 'SIGKILL'),
        options.abortGraceMs,
      );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // Nothing of an aborted run may outlive it.
      if (aborted) killGroup(child.pid, 'SIGKILL');
    };
    child.on('error', error => {
      finish();
      reject(error);
    });
    child.on('close', code => {
      finish();
      if (!options.quietStdout) out.end();
      err.end();
      resolve({ code, stdout, stderr, aborted });
    });
  });
}
