#!/bin/sh
# nuse-exec --mode=preload --stack=linux: see stack-linux-modes.lib.
STACK_MODE=preload
# shellcheck source=tests/integration/stack-linux-modes.lib
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/stack-linux-modes.lib"
