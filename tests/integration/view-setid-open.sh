#!/bin/sh
# view-setid.sh with a backing handle per open (-o handles=open): there a
# truncating open reaches the daemon as an atomic O_TRUNC open.
AFS_HANDLES=open
export AFS_HANDLES
. "$top_srcdir/tests/integration/view-setid.sh"
