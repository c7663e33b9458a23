# D2 dpkg -S: who owns the shell, asked D_REPEAT times per run
# (`dpkg --root=VIEW -S PATH`: dpkg-query reads every package's file list
# through the view). PATH is /usr/bin/sh if the native tree's database
# knows it, else /bin/sh: a merged bookworm tree's dash lists /bin/sh
# only, so `dpkg -S /usr/bin/sh` finds nothing there. Every answer must
# name the package that owns PATH natively (dash on bookworm). The answer
# to the other spelling is noted per configuration (untimed): aliasfs
# presents both spellings of what a package lists, the others do not.
workload_register d2 "D2 dpkg -S: dpkg --root=VIEW -S /bin/sh × $D_REPEAT" 0

d2_prepare()
{
	local p
	dpkg_usable || return 1
	D2_PATH="" D2_OWNER=""
	for p in /usr/bin/sh /bin/sh; do
		D2_OWNER=$(dpkg_root "$NATIVE_TREE" -S "$p" 2>/dev/null |
			sed -n "s|^\([^ :][^ :]*\)\(:[a-z0-9]*\)\{0,1\}: $p\$|\1|p" |
			head -n 1)
		[ -n "$D2_OWNER" ] && D2_PATH=$p && break
	done
	if [ -z "$D2_PATH" ]; then
		echo "dpkg -S finds no owner of /usr/bin/sh nor /bin/sh in the native tree"
		return 1
	fi
	case $D2_PATH in
	/usr/*) D2_OTHER=${D2_PATH#/usr} ;;
	*) D2_OTHER=/usr$D2_PATH ;;
	esac
	# shellcheck disable=SC2034 # read by bench/run
	WL_TITLE["d2"]="D2 dpkg -S: dpkg --root=VIEW -S $D2_PATH × $D_REPEAT"
	say "D2: dpkg -S $D2_PATH answers $D2_OWNER on the native tree"
}

declare -A D2_ANSWERS

# The other spelling's answer on each configuration, for the notes.
d2_check()
{
	local a
	a=$(dpkg_root "$1" -S "$D2_OTHER" 2>/dev/null | grep -v '^diversion by' |
		head -n 2 | tr '\n' ' ')
	a=${a% }
	D2_ANSWERS[${a:-no owner}]+="${D2_ANSWERS[${a:-no owner}]:+, }$(config_of "$1")"
}

d2_finish()
{
	local a text=""
	for a in "${!D2_ANSWERS[@]}"; do
		text+="${text:+; }${D2_ANSWERS[$a]}: $a"
	done
	note_add "D2" "dpkg -S $D2_PATH names $D2_OWNER on every column; the other spelling, dpkg -S $D2_OTHER, answers — $text"
}

d2_run()
{
	local i n
	n=$(for ((i = 0; i < D_REPEAT; i++)); do
		dpkg_root "$1" -S "$D2_PATH" || echo "dpkg -S failed" >&2
	done | grep -c "^$D2_OWNER\(:[a-z0-9]*\)\{0,1\}: .*$D2_PATH\(,\|\$\)")
	if [ "$n" != "$D_REPEAT" ]; then
		echo "dpkg -S $D2_PATH named $D2_OWNER in $n of $D_REPEAT calls"
		return 1
	fi
}
