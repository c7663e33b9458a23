/*
 * Which aliases must never exist, and why. The rules that look at one pair
 * live here; the database walk that applies the relational ones is in
 * alias-store.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "aliasdb-internal.h"

const char *aliasdb_rule_describe(enum aliasdb_rule rule)
{
	switch (rule) {
	case ALIASDB_RULE_OK:
		return "the alias is acceptable";
	case ALIASDB_RULE_NOT_ABSOLUTE:
		return "alias and target must be absolute paths "
		       "starting with '/'";
	case ALIASDB_RULE_NOT_NORMALIZED:
		return "alias and target must be normalized: "
		       "no '.', '..', '//' or trailing '/'";
	case ALIASDB_RULE_ROOT:
		return "'/' can be neither an alias nor the target of one";
	case ALIASDB_RULE_USR:
		return "/usr must never be an alias";
	case ALIASDB_RULE_ETC:
		return "/etc and everything under it can be neither an alias "
		       "nor a target, nor inside one";
	case ALIASDB_RULE_DPKG_DB:
		return "/var/lib/dpkg (dpkg's database) and everything under "
		       "it can be neither an alias nor a target, nor inside "
		       "one";
	case ALIASDB_RULE_PSEUDO_FS:
		return "/proc, /sys, /dev and everything under them can be "
		       "neither an alias nor a target, nor inside one";
	case ALIASDB_RULE_SAME:
		return "an alias cannot point to itself";
	case ALIASDB_RULE_NESTED:
		return "an alias cannot lie inside its own target, "
		       "nor the target inside the alias";
	case ALIASDB_RULE_CHAIN:
		return "aliases cannot chain: the target is an alias or "
		       "under one, the alias is under another alias, or the "
		       "alias is (an ancestor of) another alias's target";
	case ALIASDB_RULE_DUPLICATE:
		return "the alias already exists with a different target";
	case ALIASDB_RULE_TOO_LONG:
		return "a path is longer than the limit: 4095 bytes, or "
		       "511 for an alias (the database's key size)";
	case ALIASDB_RULE_BAD_OWNER:
		return "an owner name must be 1 to 255 bytes without '/' or "
		       "control characters";
	case ALIASDB_RULE_DATABASE:
		return "the alias database's directory (/var/lib/aliasfs, or "
		       "where --db puts it inside the tree) can be neither an "
		       "alias nor a target, nor inside one";
	case ALIASDB_RULE_DECL_DIR:
		return "the declaration directory /" ALIASDB_DECL_DIR
		       " can be neither an alias nor a target, nor inside one "
		       "(sync reads it at that path)";
	case ALIASDB_RULE_RUNTIME:
		return "/run, /tmp and everything under them can be neither "
		       "an alias nor a target, nor inside one";
	case ALIASDB_RULE_BOOT:
		return "/boot and everything under it can be neither an alias "
		       "nor a target, nor inside one";
	case ALIASDB_RULE_CONTROL_CHAR:
		return "alias and target must not contain control characters "
		       "(newline, tab, any byte below 0x20, or DEL)";
	}
	return "the alias is refused by an unknown rule";
}

static bool has_control_char(const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static enum aliasdb_rule check_path(const char *path)
{
	if (!path || path[0] != '/')
		return ALIASDB_RULE_NOT_ABSOLUTE;
	if (strnlen(path, ALIASDB_PATH_MAX) >= ALIASDB_PATH_MAX)
		return ALIASDB_RULE_TOO_LONG;
	/* Lists, Contents files and our own output are line based. */
	if (has_control_char(path))
		return ALIASDB_RULE_CONTROL_CHAR;
	if (!aliasdb_path_is_normalized(path))
		return ALIASDB_RULE_NOT_NORMALIZED;
	if (strcmp(path, "/") == 0)
		return ALIASDB_RULE_ROOT;
	return ALIASDB_RULE_OK;
}

/* Either path equal to or below the other. */
static bool related(const char *a, const char *b)
{
	return aliasdb_path_is_under(a, b) || aliasdb_path_is_under(b, a);
}

/*
 * Subtrees an alias must leave alone, on both sides: an alias at, inside or
 * above one would give it a second spelling or move it in the backing
 * (/var -> /usr/var takes /var/lib/dpkg along, and dpkg then reads its
 * database through the alias). The first match names the rule.
 */
static const struct {
	const char *path;
	enum aliasdb_rule rule;
} protected_subtrees[] = {
	{"/etc", ALIASDB_RULE_ETC},
	{"/var/lib/dpkg", ALIASDB_RULE_DPKG_DB},
	{"/" ALIASDB_DEFAULT_SUBDIR, ALIASDB_RULE_DATABASE},
	/* The sync and the daemon read it at this path in the backing. */
	{"/" ALIASDB_DECL_DIR, ALIASDB_RULE_DECL_DIR},
	{"/proc", ALIASDB_RULE_PSEUDO_FS},
	{"/sys", ALIASDB_RULE_PSEUDO_FS},
	{"/dev", ALIASDB_RULE_PSEUDO_FS},
	{"/run", ALIASDB_RULE_RUNTIME},
	{"/tmp", ALIASDB_RULE_RUNTIME},
	{"/boot", ALIASDB_RULE_BOOT},
};

enum aliasdb_rule aliasdb_rules_check_subtree(const char *alias,
					      const char *canonical,
					      const char *subtree,
					      enum aliasdb_rule rule)
{
	if (subtree && (related(alias, subtree) || related(canonical, subtree)))
		return rule;
	return ALIASDB_RULE_OK;
}

enum aliasdb_rule aliasdb_rules_check_pair(const char *alias,
					   const char *canonical)
{
	enum aliasdb_rule r;
	size_t i;

	r = check_path(alias);
	if (r != ALIASDB_RULE_OK)
		return r;
	r = check_path(canonical);
	if (r != ALIASDB_RULE_OK)
		return r;
	if (strcmp(alias, "/usr") == 0)
		return ALIASDB_RULE_USR;
	for (i = 0;
	     i < sizeof(protected_subtrees) / sizeof(protected_subtrees[0]);
	     i++) {
		r = aliasdb_rules_check_subtree(alias, canonical,
						protected_subtrees[i].path,
						protected_subtrees[i].rule);
		if (r != ALIASDB_RULE_OK)
			return r;
	}
	if (strcmp(alias, canonical) == 0)
		return ALIASDB_RULE_SAME;
	if (related(alias, canonical))
		return ALIASDB_RULE_NESTED;
	return ALIASDB_RULE_OK;
}

enum aliasdb_rule aliasdb_rules_check_against(const char *alias,
					      const char *canonical,
					      const char *ex_alias,
					      const char *ex_canonical)
{
	if (strcmp(alias, ex_alias) == 0)
		return strcmp(canonical, ex_canonical) == 0
			       ? ALIASDB_RULE_OK
			       : ALIASDB_RULE_DUPLICATE;
	/* Canonicalization replaces one prefix once: a target that reaches
	 * into an alias (or contains one) would need a second pass. */
	if (related(canonical, ex_alias))
		return ALIASDB_RULE_CHAIN;
	/* Two alias paths inside each other: the inner one is unreachable
	 * or the outer one hides it. */
	if (related(alias, ex_alias))
		return ALIASDB_RULE_CHAIN;
	/* The new alias would capture (part of) an existing target. */
	if (related(alias, ex_canonical))
		return ALIASDB_RULE_CHAIN;
	return ALIASDB_RULE_OK;
}

enum aliasdb_rule aliasdb_rules_check_owner(const char *owner)
{
	size_t len;
	const unsigned char *p;

	if (!owner)
		return ALIASDB_RULE_BAD_OWNER;
	len = strnlen(owner, 256);
	if (len == 0 || len > 255)
		return ALIASDB_RULE_BAD_OWNER;
	for (p = (const unsigned char *)owner; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return ALIASDB_RULE_BAD_OWNER;
	return ALIASDB_RULE_OK;
}
