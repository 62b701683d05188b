#!/usr/bin/env bash
# Boots a throw-away container whose PID 1 is a real systemd, for the systemd.unit.state tests: this
# machine's own PID 1 is not systemd, and the tests start, stop and enable units, which must not touch
# the machine anyway. The project directory (with node_modules) and the node binary are bind-mounted
# read-only, so the tests run `bin/converge` inside it with `podman exec`.
#
#   bash scripts/systemd-test-env.sh start   # install if missing, boot, write the env file, print its path
#   bash scripts/systemd-test-env.sh stop    # remove the container and its state (the rootfs cache stays)
#   bash scripts/systemd-test-env.sh env     # print the env file path
#
# The Debian rootfs (debootstrap minbase + systemd + dbus, about 240 MB and a minute or more to make)
# is cached in /var/cache/converge-systemd-rootfs; each start boots a copy, so a run never sees units
# an earlier run left behind. A failure to set up exits 75 (EX_TEMPFAIL) after a line starting
# `systemd tests NOT run:`, so CI can tell "no systemd here" apart from a failing test.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE_DIR=${CONVERGE_SYSTEMD_ENV_DIR:-/tmp/converge-systemd-env}
ENV_FILE="$STATE_DIR/env"
CACHE=${CONVERGE_SYSTEMD_ROOTFS_CACHE:-/var/cache/converge-systemd-rootfs}
SUITE=${CONVERGE_SYSTEMD_SUITE:-bookworm}
CONTAINER=converge-systemd-test
EXIT_NOT_RUN=75
PACKAGES=(podman runc debootstrap)

log() { printf 'systemd-test-env: %s\n' "$*" >&2; }

not_run() {
  printf '\n*** systemd tests NOT run: %s ***\n' "$*" >&2
  for f in debootstrap.log podman-cli.log; do
    if [ -s "$STATE_DIR/$f" ]; then
      printf -- '--- last lines of %s ---\n' "$STATE_DIR/$f" >&2
      tail -n 15 "$STATE_DIR/$f" >&2
    fi
  done
  remove_container
  exit "$EXIT_NOT_RUN"
}

podman_cli() {
  CONTAINERS_CONF="$STATE_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$STATE_DIR/storage.conf" \
    timeout 180 podman "$@"
}

remove_container() {
  if [ -f "$STATE_DIR/storage.conf" ] && command -v podman >/dev/null 2>&1; then
    podman_cli rm --force --time 5 "$CONTAINER" >/dev/null 2>&1 || true
  fi
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
  # runc fails on "error setting rlimit type 7" unless podman passes no ulimits; crun fails here on
  # setrlimit and cgroups; cgroupfs because there is no systemd on the host to manage cgroups.
  cat >"$STATE_DIR/containers.conf" <<EOF
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$STATE_DIR/events.log"
EOF
  # A private store keeps the tests away from any podman data on the machine and is removed on stop.
  cat >"$STATE_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$STATE_DIR/storage"
runroot = "$STATE_DIR/run"
EOF
}

make_rootfs_cache() {
  [ -x "$CACHE/sbin/init" ] && [ -x "$CACHE/usr/bin/dbus-daemon" ] && return 0
  log "making the $SUITE rootfs in $CACHE (debootstrap, once)"
  local partial="$CACHE.partial"
  rm -rf "$partial"
  mkdir -p "$(dirname "$CACHE")" || not_run "cannot create $(dirname "$CACHE")"
  if ! timeout 900 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus "$SUITE" "$partial" \
    >"$STATE_DIR/debootstrap.log" 2>&1; then
    rm -rf "$partial"
    not_run "debootstrap of $SUITE failed (see $STATE_DIR/debootstrap.log)"
  fi
  rm -rf "$CACHE"
  mv "$partial" "$CACHE" || not_run "cannot move the rootfs into $CACHE"
}

start() {
  if [ -f "$STATE_DIR/storage.conf" ]; then
    log "removing a previous environment in $STATE_DIR"
    stop >/dev/null 2>&1
  fi
  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR" || { echo "systemd tests NOT run: cannot create $STATE_DIR" >&2; exit "$EXIT_NOT_RUN"; }
  install_packages
  for cmd in podman runc debootstrap node; do
    command -v "$cmd" >/dev/null 2>&1 || not_run "$cmd is not on PATH"
  done
  write_configs
  make_rootfs_cache

  log "copying the rootfs"
  cp -a "$CACHE" "$STATE_DIR/rootfs" || not_run "cannot copy $CACHE"
  # Units that only slow the boot or fail in a container without devices or a network.
  local unit
  for unit in systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
    ln -sf /dev/null "$STATE_DIR/rootfs/etc/systemd/system/$unit"
  done

  local node_bin modules mounts=()
  node_bin=$(readlink -f "$(command -v node)")
  mounts+=(-v "$ROOT:$ROOT:ro" -v "$node_bin:/usr/local/bin/node:ro")
  # A worktree's node_modules may be a symlink to another checkout's: mount where it points, too.
  if [ -L "$ROOT/node_modules" ]; then
    modules=$(readlink -f "$ROOT/node_modules")
    mounts+=(-v "$modules:$modules:ro")
  fi

  log "booting systemd in container $CONTAINER"
  podman_cli run -d --name "$CONTAINER" --systemd=always --network none --hostname converge-systemd \
    "${mounts[@]}" --rootfs "$STATE_DIR/rootfs" /sbin/init >>"$STATE_DIR/podman-cli.log" 2>&1 ||
    not_run "podman could not start the systemd container (see $STATE_DIR/podman-cli.log)"

  # `degraded` (some unit failed) is still a working manager; `starting` is not yet.
  local state="" started=$SECONDS
  for _ in $(seq 1 300); do
    state=$(podman_cli exec "$CONTAINER" systemctl is-system-running 2>/dev/null)
    case $state in running | degraded) break ;; esac
    sleep 0.2
  done
  case $state in
    running | degraded) ;;
    *)
      podman_cli logs "$CONTAINER" >>"$STATE_DIR/podman-cli.log" 2>&1
      not_run "systemd in the container did not finish booting (is-system-running: ${state:-no answer})"
      ;;
  esac
  log "systemd is $state after $((SECONDS - started)) s"
  podman_cli exec "$CONTAINER" /usr/local/bin/node --version >>"$STATE_DIR/podman-cli.log" 2>&1 ||
    not_run "node does not run inside the container (see $STATE_DIR/podman-cli.log)"

  cat >"$ENV_FILE" <<EOF
CONVERGE_SYSTEMD_CONTAINER=$CONTAINER
CONVERGE_SYSTEMD_PROJECT=$ROOT
CONTAINERS_CONF=$STATE_DIR/containers.conf
CONTAINERS_STORAGE_CONF=$STATE_DIR/storage.conf
EOF
  log "ready; env file: $ENV_FILE"
  echo "$ENV_FILE"
}

stop() {
  remove_container
  # The copied rootfs has root-owned read-only files; make them removable first.
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
