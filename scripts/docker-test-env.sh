#!/usr/bin/env bash
# Sets up (and tears down) a throw-away Docker-compatible engine and registry for the docker resource
# tests: podman's Docker API service on a unix socket and Debian's docker-registry on loopback.
#
#   bash scripts/docker-test-env.sh start   # install if missing, start, write the env file, print its path
#   bash scripts/docker-test-env.sh stop    # stop what start started and remove its state
#   bash scripts/docker-test-env.sh env     # print the env file path
#
# A failure to set up exits 75 (EX_TEMPFAIL) after a line starting `docker tests NOT run:`, so CI can
# tell "no engine here" apart from a failing test.
set -uo pipefail

STATE_DIR=${CONVERGE_DOCKER_ENV_DIR:-/tmp/converge-docker-env}
ENV_FILE="$STATE_DIR/env"
REGISTRY_PORT=${CONVERGE_DOCKER_REGISTRY_PORT:-5917}
IMAGE_REPO=converge-test/busybox
IMAGE_TAG=latest
EXIT_NOT_RUN=75
PACKAGES=(podman runc busybox-static docker-registry)

log() { printf 'docker-test-env: %s\n' "$*" >&2; }

not_run() {
  printf '\n*** docker tests NOT run: %s ***\n' "$*" >&2
  for f in podman.log registry.log; do
    if [ -s "$STATE_DIR/$f" ]; then
      printf -- '--- last lines of %s ---\n' "$STATE_DIR/$f" >&2
      tail -n 15 "$STATE_DIR/$f" >&2
    fi
  done
  stop_services
  exit "$EXIT_NOT_RUN"
}

# Kills the process recorded in a pid file (only that one) and waits briefly for it to go.
kill_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

podman_cli() {
  CONTAINERS_CONF="$STATE_DIR/containers.conf" \
    CONTAINERS_REGISTRIES_CONF="$STATE_DIR/registries.conf" \
    CONTAINERS_STORAGE_CONF="$STATE_DIR/storage.conf" \
    timeout 180 podman "$@"
}

stop_services() {
  if [ -f "$STATE_DIR/storage.conf" ] && command -v podman >/dev/null 2>&1; then
    # Containers left behind by a crashed test would keep conmon processes alive.
    podman_cli rm --all --force >/dev/null 2>&1 || true
  fi
  kill_pidfile "$STATE_DIR/podman.pid"
  kill_pidfile "$STATE_DIR/registry.pid"
}

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || not_run "apt-get is not available to install ${missing[*]}"
  if ! { timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"; } >"$STATE_DIR/apt.log" 2>&1; then
    tail -n 20 "$STATE_DIR/apt.log" >&2
    not_run "could not install ${missing[*]} (see $STATE_DIR/apt.log)"
  fi
}

write_configs() {
  # crun (podman's default) fails here on setrlimit and cgroups; runc with cgroupfs works.
  cat >"$STATE_DIR/containers.conf" <<EOF
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$STATE_DIR/events.log"

[network]
# Networks the tests create stay in the state dir, not in the machine's /etc.
network_config_dir = "$STATE_DIR/networks"
EOF
  # A private store keeps the tests away from any podman data on the machine and is removed on stop.
  cat >"$STATE_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$STATE_DIR/storage"
runroot = "$STATE_DIR/run"
EOF
  cat >"$STATE_DIR/registries.conf" <<EOF
unqualified-search-registries = []

[[registry]]
location = "127.0.0.1:$REGISTRY_PORT"
insecure = true
EOF
  cat >"$STATE_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
EOF
}

wait_for() {
  local tries=$1
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

start() {
  if [ -f "$STATE_DIR/podman.pid" ] || [ -f "$STATE_DIR/registry.pid" ]; then
    log "stopping a previous environment in $STATE_DIR"
    stop_services
  fi
  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR" || { echo "docker tests NOT run: cannot create $STATE_DIR" >&2; exit "$EXIT_NOT_RUN"; }
  install_packages
  for cmd in podman runc busybox docker-registry curl tar; do
    command -v "$cmd" >/dev/null 2>&1 || not_run "$cmd is not on PATH"
  done
  write_configs

  log "starting docker-registry on 127.0.0.1:$REGISTRY_PORT"
  if (exec 3<>"/dev/tcp/127.0.0.1/$REGISTRY_PORT") 2>/dev/null; then
    not_run "port $REGISTRY_PORT is already in use (set CONVERGE_DOCKER_REGISTRY_PORT)"
  fi
  setsid docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/registry.pid"
  wait_for 100 curl -fsS --max-time 2 "http://127.0.0.1:$REGISTRY_PORT/v2/" || not_run "docker-registry did not answer on 127.0.0.1:$REGISTRY_PORT"

  local sock="$STATE_DIR/podman.sock"
  log "starting podman system service on unix://$sock"
  CONTAINERS_CONF="$STATE_DIR/containers.conf" CONTAINERS_REGISTRIES_CONF="$STATE_DIR/registries.conf" \
    CONTAINERS_STORAGE_CONF="$STATE_DIR/storage.conf" \
    setsid podman system service --time=0 "unix://$sock" >"$STATE_DIR/podman.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/podman.pid"
  wait_for 150 curl -fsS --max-time 2 --unix-socket "$sock" http://d/_ping || not_run "podman's Docker API did not answer on $sock"

  log "building the busybox test image"
  local rootfs="$STATE_DIR/rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www" "$rootfs/etc"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  local applet
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'hello from converge' >"$rootfs/www/index.html"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -cf "$STATE_DIR/rootfs.tar" . || not_run "could not pack the busybox rootfs"
  local ref="127.0.0.1:$REGISTRY_PORT/$IMAGE_REPO:$IMAGE_TAG"
  podman_cli import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$STATE_DIR/rootfs.tar" "$ref" \
    >>"$STATE_DIR/podman-cli.log" 2>&1 || not_run "podman import failed (see $STATE_DIR/podman-cli.log)"
  podman_cli push --tls-verify=false "$ref" >>"$STATE_DIR/podman-cli.log" 2>&1 ||
    not_run "podman push to 127.0.0.1:$REGISTRY_PORT failed (see $STATE_DIR/podman-cli.log)"
  # The tests pull it themselves; a local copy would make the first pull a no-op.
  podman_cli rmi "$ref" >>"$STATE_DIR/podman-cli.log" 2>&1 || true

  # A second, unrelated image for the pull tests: they delete it locally, which must not disturb
  # containers of the busybox image that other tests run at the same time.
  local pull_ref="127.0.0.1:$REGISTRY_PORT/converge-test/pullme:$IMAGE_TAG"
  mkdir -p "$STATE_DIR/pullme"
  head -c 65536 /dev/urandom >"$STATE_DIR/pullme/payload.bin"
  tar -C "$STATE_DIR/pullme" -cf "$STATE_DIR/pullme.tar" . || not_run "could not pack the pull-test image"
  { podman_cli import "$STATE_DIR/pullme.tar" "$pull_ref" && podman_cli push --tls-verify=false "$pull_ref" &&
    podman_cli rmi "$pull_ref"; } >>"$STATE_DIR/podman-cli.log" 2>&1 ||
    not_run "could not publish the pull-test image (see $STATE_DIR/podman-cli.log)"

  # The smoke test the issue describes: a container must start through the engine, or nothing will.
  podman_cli run --rm --network none --tls-verify=false "$ref" /bin/true >>"$STATE_DIR/podman-cli.log" 2>&1 ||
    not_run "a test container did not run (see $STATE_DIR/podman-cli.log)"
  podman_cli rmi "$ref" >>"$STATE_DIR/podman-cli.log" 2>&1 || true

  cat >"$ENV_FILE" <<EOF
DOCKER_HOST=unix://$sock
CONVERGE_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT
CONVERGE_TEST_IMAGE=127.0.0.1:$REGISTRY_PORT/$IMAGE_REPO
CONVERGE_TEST_IMAGE_TAG=$IMAGE_TAG
CONVERGE_TEST_PULL_IMAGE=127.0.0.1:$REGISTRY_PORT/converge-test/pullme
CONTAINERS_CONF=$STATE_DIR/containers.conf
CONTAINERS_REGISTRIES_CONF=$STATE_DIR/registries.conf
CONTAINERS_STORAGE_CONF=$STATE_DIR/storage.conf
EOF
  log "ready; env file: $ENV_FILE"
  echo "$ENV_FILE"
}

stop() {
  stop_services
  # vfs layers may carry read-only bits; make them removable first.
  chmod -R u+w "$STATE_DIR" 2>/dev/null
  rm -rf "$STATE_DIR"
  log "stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) echo "$ENV_FILE" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
