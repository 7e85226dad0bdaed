#!/usr/bin/env bash
# Make sure graphviz's `dot` program is on PATH.
#
# The notebooks draw the cluster with graphviz. The Python `graphviz` package
# only writes DOT text; turning it into a picture needs the `dot` binary,
# which pip cannot install. If we are root on a machine with apt-get (a fresh
# CI box, a container), install it; otherwise stop and say how.
set -euo pipefail

if command -v dot >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "graphviz's dot is missing; installing it with apt-get (log: .venv/apt.log)"
    mkdir -p .venv
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update >.venv/apt.log 2>&1 \
        && apt-get install -y graphviz >>.venv/apt.log 2>&1; then
        command -v dot >/dev/null 2>&1 && exit 0
    fi
    echo "apt-get could not install graphviz; the last lines of .venv/apt.log:" >&2
    tail -n 20 .venv/apt.log >&2 || true
    exit 1
fi

cat >&2 <<'MSG'
graphviz's `dot` program is not installed, and the notebooks need it to draw
the cluster. Install it with the package manager you use, then run make again:

    sudo apt-get install graphviz                # Debian, Ubuntu
    brew install graphviz                        # macOS with Homebrew
    conda install -c conda-forge graphviz        # conda / mamba environments
MSG
exit 1
