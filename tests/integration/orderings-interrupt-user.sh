#!/bin/sh
# orderings-interrupt.sh as an ordinary user.
ORD_USER=1
. "$top_srcdir/tests/integration/orderings-interrupt.sh"
