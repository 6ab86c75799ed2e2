#!/bin/sh
# nuse-exec --mode=ptrace --stack=linux: see stack-linux-modes.lib.
STACK_MODE=ptrace
# shellcheck source=tests/integration/stack-linux-modes.lib
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/stack-linux-modes.lib"
