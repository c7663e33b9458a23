#!/bin/sh
# orderings-dep17.sh as an ordinary user (see orderings-seed003-user.sh).
ORD_USER=1
. "$top_srcdir/tests/integration/orderings-dep17.sh"
