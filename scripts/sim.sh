#!/usr/bin/env bash
# The simulator CLI (simulators/src/cli.ts): builds first when a source changed (only then), then
# runs it from the caller's directory, so relative paths (--out, captures, rule files) are the
# caller's. `npm run sim -- help` lists the commands.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/built-dist.sh"
cd "$caller"
exec node --enable-source-maps "$dist/simulators/src/cli.js" "$@"
