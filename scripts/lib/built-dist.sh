# Sourced by the commands that run compiled code (sim, bench, start, alerts). Builds when the
# sources changed (scripts/build.mjs: into a fresh folder, switched in atomically, silent when
# nothing changed) and sets:
#   root    the repository
#   caller  the directory the user ran the command from: npm runs scripts from the package root
#           and keeps the caller's directory in INIT_CWD
#   dist    the real folder of the current build: a command started from it keeps running from
#           it even if another build replaces `dist` meanwhile
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
caller=$PWD
if [[ -n ${npm_lifecycle_event:-} && -n ${INIT_CWD:-} ]]; then caller=$INIT_CWD; fi
node "$root/scripts/build.mjs" --quiet
dist=$(readlink -f "$root/dist")
