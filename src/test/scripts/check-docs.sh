#!/usr/bin/env bash
# Runs the shell blocks of the documentation and prints one PASS/FAIL/SKIP line per block, then
# "check-docs: N passed, N failed". See check_docs.py for the rules (what runs, where, how to mark a
# block that cannot run here). Usage: check-docs.sh [--list] [FILE.md ...]
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec python3 src/test/scripts/check_docs.py "$@"
