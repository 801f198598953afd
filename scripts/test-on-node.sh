#!/usr/bin/env bash
# Runs the test suite under another Node.js major than the machine's, e.g. `bash scripts/test-on-node.sh 24`
# (extra arguments filter test files, as with scripts/run-tests.mjs). Set TEST_DATABASE_URL for PostgreSQL.
#
# Node comes from the npm registry's node-<platform>-<arch> package (the binary the `node` package
# installs, without its install script), which also ships the headers better-sqlite3 is compiled
# against (--nodedir): nothing is downloaded from anywhere but the npm registry.
# The project is copied into its own tree with its own node_modules, because a native addon is built
# for one Node ABI: installing in place would break the machine's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: bash scripts/test-on-node.sh NODE_MAJOR [test file filter...]" >&2
  exit 2
fi
major=$1
shift

# Kept between runs (.scratch/ is ignored by git) so a rerun skips the install when nothing changed.
work_dir="${NODE_TEST_WORK_DIR:-.scratch/node-${major}}"
runtime_dir="${work_dir}/runtime"
tree_dir="${work_dir}/tree"
mkdir -p "$runtime_dir" "$tree_dir"
work_dir=$(cd "$work_dir" && pwd)
runtime_dir="${work_dir}/runtime"
tree_dir="${work_dir}/tree"

log() { printf '\n== node %s [%dm%02ds]: %s\n' "$major" $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# The newest release of that major each time: a test run should meet the patch operators will install.
runtime_package="node-$(node -p 'process.platform + "-" + process.arch')"
log "installing ${runtime_package}@${major} from the npm registry"
npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
  --prefix "$runtime_dir" "${runtime_package}@${major}"
node_home="${runtime_dir}/node_modules/${runtime_package}"
export PATH="${node_home}/bin:${PATH}"
installed=$(node --version)
if [[ $installed != "v${major}."* ]]; then
  echo "expected Node ${major}, got ${installed} from ${node_home}" >&2
  exit 1
fi

# Everything a clone would have plus uncommitted work, nothing ignored (no dist/, data/ or results);
# the old tree goes first so a deleted source cannot leave a stale test behind.
log "copying the project to ${tree_dir}"
find "$tree_dir" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read --warning=no-failed-read -cf - \
  | tar -xf - -C "$tree_dir"
cd "$tree_dir"

# Same lock and same ABI as the last install: node_modules is still right.
install_stamp="node_modules/.installed-for"
wanted_stamp="$(sha256sum package-lock.json | cut -d' ' -f1) abi $(node -p process.versions.modules)"
if [ "$(cat "$install_stamp" 2>/dev/null)" = "$wanted_stamp" ]; then
  log "node_modules already installed from this package-lock.json"
else
  # --engine-strict: a dependency that does not declare this Node version fails the install here.
  # --nodedir: node-gyp takes the headers from the runtime package instead of downloading them.
  log "npm ci (better-sqlite3 compiled against ${installed} headers)"
  npm ci --no-audit --no-fund --engine-strict --nodedir="$node_home"
  printf '%s\n' "$wanted_stamp" >"$install_stamp"
fi

log "tests under ${installed}"
npm test -- "$@"
