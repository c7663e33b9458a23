# The rows the orderings tests expect, as measured with dpkg 1.21 (root,
# user namespace and, where the daemon allows, fakeroot alike). Sourced by
# orderings-*.sh; ord_rows prints rows in this form.

MERGED=/bin,/lib,/lib32,/lib64,/libx32,/sbin

# seed 003: a ships /bin/test, b ships /usr/bin/test, c declares /bin ->
# /usr/bin; the view starts with no alias. The baseline, a plain merged
# directory: every order silently overwrites (the last of a and b wins);
# c's declaration is an inert file. The view: "a b c" and "b a c" keep
# both files (c's alias stays blocked); otherwise the second of a and b
# fails with "trying to overwrite" and the first one's file stays.
SEED003_MAP="/usr/bin/test:a=a 1 /bin/test;/usr/bin/test:b=b 1 /usr/bin/test"
SEED003_MAP="$SEED003_MAP;/bin/test:a=a 1 /bin/test;/bin/test:b=b 1 /usr/bin/test"
SEED003_ROWS="a b c | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=b /bin/test=missing
a b c | view ok rc=000 lost=- ow=- aliases=- blocked=/bin /usr/bin/test=b /bin/test=a
a c b | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=b /bin/test=missing
a c b | view refused rc=001 lost=- ow=- aliases=/bin blocked=- /usr/bin/test=a /bin/test=missing
b a c | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=a /bin/test=missing
b a c | view ok rc=000 lost=- ow=- aliases=- blocked=/bin /usr/bin/test=b /bin/test=a
b c a | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=a /bin/test=missing
b c a | view refused rc=001 lost=- ow=- aliases=/bin blocked=- /usr/bin/test=b /bin/test=missing
c a b | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=b /bin/test=missing
c a b | view refused rc=001 lost=- ow=- aliases=/bin blocked=- /usr/bin/test=a /bin/test=missing
c b a | baseline overwritten rc=000 lost=- ow=/usr/bin/test aliases=$MERGED blocked=- /usr/bin/test=a /bin/test=missing
c b a | view refused rc=001 lost=- ow=- aliases=/bin blocked=- /usr/bin/test=b /bin/test=missing"

# DEP17 P1: after a 1, b 1 (Replaces, Breaks: a << 2) and a 2 in both
# orders. On the baseline, b first loses /usr/bin/foo, and a 1, the only
# package that listed /bin, takes the /bin symlink with it when a 2
# replaces it (README: "removing the only package that lists /bin"). On
# the view b's file stays b's. "b1 a2" is refused on both sides by dpkg's
# own Breaks check (a 1 cannot be configured while b is installed).
NOBIN=/lib,/lib32,/lib64,/libx32,/sbin
DEP17_MAP="/usr/bin/foo:b1=b 1 /usr/bin/foo;/usr/bin/foo:a1=a 1 /bin/foo"
DEP17_ROWS="b1 a2 | baseline lost rc=010 lost=/usr/bin/foo ow=- aliases=$NOBIN blocked=- /usr/bin/foo=missing
b1 a2 | view refused rc=010 lost=- ow=- aliases=$MERGED blocked=- /usr/bin/foo=b1
a2 b1 | baseline ok rc=000 lost=- ow=- aliases=$NOBIN blocked=- /usr/bin/foo=b1
a2 b1 | view ok rc=000 lost=- ow=- aliases=$MERGED blocked=- /usr/bin/foo=b1"
