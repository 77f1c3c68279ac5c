#!/usr/bin/env bash
# The alerts terminal view (apps/cli/src/alerts-cli.ts): builds first when a source changed (only
# then), then runs it from the repository (its default token file is .stack/api-token there).
# `npm run alerts -- help` lists the commands.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/built-dist.sh"
cd "$root"
exec node --enable-source-maps "$dist/apps/cli/src/alerts-cli.js" "$@"
