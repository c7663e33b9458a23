#!/bin/sh
# view-posix.sh with a backing handle per open (-o handles=open, what a network
# backing gets) instead of file I/O by inode.
AFS_HANDLES=open
export AFS_HANDLES
. "$top_srcdir/tests/integration/view-posix.sh"
