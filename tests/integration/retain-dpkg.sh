#!/bin/sh
# Retention with real dpkg (issue 18): package q 1 ships a real shared
# object whose function returns "1", q 2 one that returns "2". After the
# upgrade through the view, a program dlopen()s the version-1 module by
# its retained path and gets "1", the installed path "2"; on a plain
# merged tree the same upgrade leaves only "2". Then: removal of q, a rule
# that matches nothing, a bad rule file, a file no package ships, aliasctl
# retained and gc.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fixtures/dpkg-scenarios.sh"
dpkg_test_start 200
command -v gcc >/dev/null 2>&1 || skip "no gcc"

QDIR=/usr/lib/x86_64-linux-gnu/qemu
SO=$QDIR/block-x.so
RET=/run/aliasfs/retained/qemu

# The module, one version a file, and the program that loads one.
for v in 1 2; do
	printf 'const char *block_version(void) { return "%s"; }\n' "$v" \
		>"$T/block$v.c"
	gcc -shared -fPIC -o "$T/block$v.so" "$T/block$v.c" ||
		fail "building module $v"
done
cat >"$T/load.c" <<'EOF2'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) : NULL;
	const char *(*f)(void);

	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	f = (const char *(*)(void))dlsym(h, "block_version");
	if (!f) {
		printf("no block_version\n");
		return 1;
	}
	printf("%s\n", f());
	return 0;
}
EOF2
gcc -o "$T/load" "$T/load.c" -ldl || fail "building the loader"

# qpkg VERSION: q_VERSION.deb shipping module VERSION at $SO.
qpkg()
{
	_d=$T/q$1
	mkdir -p "$_d/DEBIAN" "$_d$QDIR"
	cp "$T/block$1.so" "$_d$SO"
	printf 'Package: q\nVersion: %s\nArchitecture: all\n' "$1" \
		>"$_d/DEBIAN/control"
	printf 'Maintainer: t <t@example.invalid>\nDescription: t\n' \
		>>"$_d/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip -b "$_d" "$P/q_$1.deb" >/dev/null
}
qpkg 1 && qpkg 2 || fail "building q"
# The rule comes with a package, as a declaration would; a second rule
# matches nothing.
mkpkg "$P" qrule 1 \
	"/usr/share/aliasfs/retain.d/qemu=$QDIR/*.so $RET/<version>
/usr/lib/nothing/*.so /run/aliasfs/retained/none/<version>" ||
	fail "building qrule"

# The control: a plain merged tree keeps nothing.
plain_root q
D "$ROOT" -i "$P/q_1.deb" && D "$ROOT" -i "$P/q_2.deb" ||
	fail "plain: dpkg"
check_eq "plain: installed module" 2 "$("$T/load" "$ROOT$SO")"
check_eq "plain: nothing retained" no "$([ -e "$ROOT/run" ] && echo yes || echo no)"

view_root q || { show_log; finish; }
D "$ROOT" -i "$P/qrule_1.deb" || fail "view: install qrule"
# A broken rule file is reported and ignored; the good rules stay.
printf 'not a rule\n/rel/*.so run/x\n\001\n' \
	>"$ROOT/usr/share/aliasfs/retain.d/broken" || fail "broken rule file"
D "$ROOT" -i "$P/q_1.deb" || fail "view: install q 1"
check_eq "view: q 1 installed" 1 "$("$T/load" "$ROOT$SO")"
v1_ino=$(stat -c %i "$BK$SO")
D "$ROOT" -i "$P/q_2.deb" || fail "view: upgrade to q 2"
check_eq "view: installed module after the upgrade" 2 "$("$T/load" "$ROOT$SO")"
check_eq "view: retained version-1 module" 1 \
	"$("$T/load" "$ROOT$RET/1/block-x.so")"
check_eq "retained file is the old file, linked, not copied" "$v1_ino" \
	"$(stat -c %i "$BK$RET/1/block-x.so" 2>/dev/null)"
check_eq "retained file is read-only" 0 \
	"$(( $(stat -c 0%a "$ROOT$RET/1/block-x.so" 2>/dev/null || echo 0222) & 0222 ))"
check_eq "the rule that matches nothing made nothing" no \
	"$([ -e "$ROOT/run/aliasfs/retained/none" ] && echo yes || echo no)"
out=$(aliasctl --root "$BK" retained) || fail "aliasctl retained"
check "retained lists the module with its version" \
	sh -c "printf '%s\n' \"\$1\" | grep -q \"^$RET/1/block-x.so	1	$(stat -c %s "$T/block1.so")	\"" \
	- "$out"
json=$(aliasctl --root "$BK" retained --json) || fail "retained --json"
check "retained --json names the package and the original path" \
	sh -c "printf '%s' \"\$1\" | tr -d '\n' | grep -q '\"original\": \"$SO\", \"package\": \"q\", \"version\": \"1\"'" \
	- "$json"

# Removal keeps the removed version.
D "$ROOT" -r q || fail "view: remove q"
check_eq "view: removed module gone" missing "$(content "$ROOT$SO")"
check_eq "view: removed version-2 module retained" 2 \
	"$("$T/load" "$ROOT$RET/2/block-x.so")"
check_eq "view: version-1 module still retained" 1 \
	"$("$T/load" "$ROOT$RET/1/block-x.so")"

# A file no package ships gets a generation number.
mkdir -p "$ROOT$QDIR" && cp "$T/block1.so" "$ROOT$QDIR/local.so" &&
	rm "$ROOT$QDIR/local.so" ||
	fail "local module"
check_eq "unowned file retained under a generation" 1 \
	"$("$T/load" "$ROOT$RET/gen-1/local.so")"

# gc: nothing is older than a day; then everything goes.
check "gc --older-than 1d" aliasctl --root "$BK" gc --older-than 1d
check_eq "gc --older-than kept all" 3 \
	"$(aliasctl --root "$BK" retained | tail -n +2 | wc -l)"
check_fails "gc refuses a bad time" aliasctl --root "$BK" gc --older-than 1y
check "gc" aliasctl --root "$BK" gc
check_eq "gc removed every file" "" \
	"$(aliasctl --root "$BK" retained | tail -n +2)"
check_eq "gc removed the retained files in the backing" no \
	"$([ -e "$BK$RET/1/block-x.so" ] && echo yes || echo no)"
umount_view "$ROOT" || fail "unmount"
[ "$_lib_failed" -eq 0 ] || show_log
finish
