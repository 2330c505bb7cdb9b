#!/usr/bin/env bash
# Validates the CI/CD workflows, the compose files, the Kubernetes manifests, the Dockerfile and the
# Prometheus configuration offline, and prints one PASS/FAIL line per check. Needs python3 with
# PyYAML (Debian: python3-yaml; installed here when missing and running as root). Uses, when
# installed: kubectl (`kubectl kustomize`, offline), docker-compose or `docker compose` (`config`,
# needs no engine), promtool (`check config` / `check rules`). Images are not built: no engine here.
set -euo pipefail
cd "$(dirname "$0")/../../.."

pick_python() {
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq python3-yaml >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-yaml >/dev/null; }
    echo /usr/bin/python3
    return 0
  fi
  echo "check-deploy: no python3 with PyYAML; install python3-yaml (Debian) or pyyaml (pip)" >&2
  return 1
}

PY=$(pick_python)
exec "$PY" src/test/scripts/check_deploy.py "$@"
