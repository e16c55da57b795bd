#!/usr/bin/env bash
# Installs what the full test suite needs and runs it: the package with its test extras, Debian's
# Chromium + ChromeDriver (browser tests), Java 17 + Maven (the local Neo4j server the tests start).
# Lints with ruff (the test extras install it; configuration in pyproject.toml) before the tests.
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (apt)"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
python3 -m ruff check .
python3 -c "from loaders.neo4j_server import ensure_server_built; print('neo4j server:', ensure_server_built())"
python3 -m pytest -q "$@"
