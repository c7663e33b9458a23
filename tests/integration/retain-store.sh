#!/bin/sh
. "$top_srcdir/tests/integration/lib.sh"
finish
