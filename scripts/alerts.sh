#!/usr/bin/env bash
# The alerts terminal view (apps/cli/src/alerts-cli.ts): builds first when any TypeScript source
# is newer than the compiled CLI, then runs it. `npm run alerts -- help` lists the commands.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cli=dist/apps/cli/src/alerts-cli.js
if [[ ! -f $cli ]] || [[ -n $(find apps/cli -name '*.ts' ! -name '*.spec.ts' ! -name '*.int-test.ts' -newer "$cli" -print -quit) ]]; then
  echo "== building" >&2
  npm run --silent build >&2
fi

exec node --enable-source-maps "$cli" "$@"
