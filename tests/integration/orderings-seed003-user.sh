#!/bin/sh
# orderings-seed003.sh as an ordinary user (a user namespace where FUSE
# can be mounted; skipped with the reason where the kernel does not
# allow it: orderings-fakeroot.sh covers that fallback).
ORD_USER=1
. "$top_srcdir/tests/integration/orderings-seed003.sh"
