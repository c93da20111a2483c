# Shared by the bench scripts (sourced): the processes a script started, stopped when it exits, a
# free loopback port, and waiting for an HTTP endpoint. A script sets PIDS+=(pid) for each process.
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {  # URL SECONDS: true once URL answers 2xx, false after SECONDS
  local i
  for i in $(seq $(($2 * 10))); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
