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
		return "/etc and everything under it must never be an alias";
	case ALIASDB_RULE_DPKG_DB:
		return "/var/lib/dpkg and everything under it can be "
		       "neither an alias nor a target";
	case ALIASDB_RULE_PSEUDO_FS:
		return "/proc, /sys, /dev and everything under them can be "
		       "neither an alias nor a target";
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
	}
	return "the alias is refused by an unknown rule";
}

static enum aliasdb_rule check_path(const char *path)
{
	if (!path || path[0] != '/')
		return ALIASDB_RULE_NOT_ABSOLUTE;
	if (strnlen(path, ALIASDB_PATH_MAX) >= ALIASDB_PATH_MAX)
		return ALIASDB_RULE_TOO_LONG;
	if (!aliasdb_path_is_normalized(path))
		return ALIASDB_RULE_NOT_NORMALIZED;
	if (strcmp(path, "/") == 0)
		return ALIASDB_RULE_ROOT;
	return ALIASDB_RULE_OK;
}

static bool is_pseudo_fs(const char *path)
{
	return aliasdb_path_is_under(path, "/proc") ||
	       aliasdb_path_is_under(path, "/sys") ||
	       aliasdb_path_is_under(path, "/dev");
}

enum aliasdb_rule aliasdb_rules_check_pair(const char *alias,
					   const char *canonical)
{
	enum aliasdb_rule r;

	r = check_path(alias);
	if (r != ALIASDB_RULE_OK)
		return r;
	r = check_path(canonical);
	if (r != ALIASDB_RULE_OK)
		return r;
	if (strcmp(alias, "/usr") == 0)
		return ALIASDB_RULE_USR;
	if (aliasdb_path_is_under(alias, "/etc"))
		return ALIASDB_RULE_ETC;
	if (aliasdb_path_is_under(alias, "/var/lib/dpkg") ||
	    aliasdb_path_is_under(canonical, "/var/lib/dpkg"))
		return ALIASDB_RULE_DPKG_DB;
	if (is_pseudo_fs(alias) || is_pseudo_fs(canonical))
		return ALIASDB_RULE_PSEUDO_FS;
	if (strcmp(alias, canonical) == 0)
		return ALIASDB_RULE_SAME;
	if (aliasdb_path_is_under(alias, canonical) ||
	    aliasdb_path_is_under(canonical, alias))
		return ALIASDB_RULE_NESTED;
	return ALIASDB_RULE_OK;
}

/* Either path equal to or below the other. */
static bool related(const char *a, const char *b)
{
	return aliasdb_path_is_under(a, b) || aliasdb_path_is_under(b, a);
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
