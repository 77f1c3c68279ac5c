#!/usr/bin/env bash
# The simulator CLI (simulators/src/cli.ts): builds first when any TypeScript source is newer than
# the compiled CLI, then runs it. `npm run sim -- help` lists the commands.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cli=dist/simulators/src/cli.js
if [[ ! -f $cli ]] || [[ -n $(find apps libs devices simulators -name '*.ts' ! -name '*.spec.ts' ! -name '*.int-test.ts' -newer "$cli" -print -quit) ]]; then
  echo "== building" >&2
  npm run --silent build >&2
fi

exec node --enable-source-maps "$cli" "$@"
