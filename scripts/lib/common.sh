# Helpers shared by Paved's scripts. Sourced, never run.

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# fail STEP LOG: stop with the step that failed and where to read why.
fail() {
  printf '\n\033[31mFAILED: %s\033[0m\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'See: %s\n' "$2" >&2
  if [ -f "${2:-}" ]; then
    printf -- '--- last lines of %s ---\n' "$2" >&2
    tail -n 20 "$2" >&2
  fi
  exit 1
}

# apt_install PKG...: Debian packages, installed only when missing.
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || fail "installing ${missing[*]} needs root (apt-get)"
  local log=${PAVED_RUN:-/tmp}/logs/apt.log
  mkdir -p "$(dirname "$log")"
  {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >>"$log" 2>&1 || fail "apt-get install ${missing[*]}" "$log"
}

# wait_for_http NAME URL LOG SECONDS
wait_for_http() {
  local deadline=$((SECONDS + $4))
  until curl -sf -o /dev/null "$2"; do
    [ $SECONDS -lt $deadline ] || fail "$1 did not answer at $2 within $4 s" "$3"
    sleep 0.2
  done
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# live_pid PIDFILE CMDLINE: prints the pid in PIDFILE if that process is alive, not a
# zombie, and its command line contains CMDLINE (guards against pid reuse).
live_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# wait_healthy NAME PIDFILE CMDLINE LOG TIMEOUT CHECK...: waits until CHECK succeeds.
# Fails, with the last lines of LOG, if the process in PIDFILE dies or TIMEOUT seconds pass.
wait_healthy() {
  local name=$1 pidfile=$2 cmdline=$3 log=$4 timeout=$5 deadline=$((SECONDS + $5))
  shift 5
  until "$@"; do
    if [ -s "$pidfile" ] && ! live_pid "$pidfile" "$cmdline" >/dev/null; then
      printf 'FAILED: %s exited during start-up; last lines of %s:\n' "$name" "$log" >&2
      tail -n 25 "$log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'FAILED: %s not healthy after %s s; last lines of %s:\n' "$name" "$timeout" "$log" >&2
      tail -n 25 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# running PID: alive and not a zombie (a process whose parent has gone stays a zombie until
# PID 1 reaps it, which here takes up to ~2 s).
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# stop_process NAME PIDFILE CMDLINE: TERM the process in PIDFILE (if it is ours), wait up
# to 15 s, then KILL; removes PIDFILE. Leaves no process behind.
stop_process() {
  local name=$1 pidfile=$2 pid
  if pid="$(live_pid "$pidfile" "$3")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then
      printf '%s (pid %s) ignored SIGTERM, sending SIGKILL\n' "$name" "$pid" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do running "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$pidfile"
}
