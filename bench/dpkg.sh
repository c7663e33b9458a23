#!/bin/sh
# bench/dpkg.sh — dpkg through the view against the native tree: a thin
# wrapper around bench/run's D1-D3 workloads (dpkg -l, dpkg -S, dpkg -i
# of real packages, see bench/README.md) on the native tree and the two
# aliasfs views. Not part of `make check`; needs root.
#
# usage: bench/dpkg.sh [bench/run OPTIONS] [TREE]
#
# e.g. --quick, --runs N, --build DIR, --json FILE, or --configs to add
# the peers. ALIASFS_OPTS="-o dpkgdb=raw" bench/dpkg.sh times the view
# with dpkg's database shown as stored instead of with its claims.
exec "$(dirname "$0")/run" --workloads d1,d2,d3 \
	--configs native,aliasfs-merged,aliasfs-split "$@"
