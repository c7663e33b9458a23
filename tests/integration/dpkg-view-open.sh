#!/bin/sh
# dpkg-view.sh with a backing handle per open (-o handles=open, what a network
# backing gets) instead of file I/O by inode.
AFS_HANDLES=open
export AFS_HANDLES
. "$top_srcdir/tests/integration/dpkg-view.sh"
