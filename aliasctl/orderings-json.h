/*
 * aliasctl orderings: the result as JSON (the shape scripts rely on is in
 * aliasctl(1)), and back: --merge reads shard files written by --json.
 */
#ifndef ALIASCTL_ORDERINGS_JSON_H
#define ALIASCTL_ORDERINGS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "aliasctl/orderings-result.h"

/* Write @res to @f. With @html, safe to embed in an HTML <script>. */
void ord_json_write(FILE *f, const struct ord_result *res, bool html);

/* Write @res to the file @path (replaced atomically). Returns 0 or
 * -errno. */
int ord_json_save(const char *path, const struct ord_result *res);

/*
 * Parse @len bytes of JSON written by ord_json_write(). Returns 0 and
 * *ret_res, or -EINVAL with *ret_why ("line L: what") for anything that
 * is not such a result, -ENOMEM.
 */
int ord_json_parse(const char *text, size_t len, struct ord_result **ret_res,
		   char **ret_why);

/* Read and parse the file @path; messages name it. */
int ord_json_load(const char *path, struct ord_result **ret_res,
		  char **ret_why);

/*
 * Merge @b into @a: the same scenario and packages, orderings joined
 * (an index present in both must not differ in its order). Takes @b.
 * Returns 0 or -EINVAL with *ret_why.
 */
int ord_result_merge(struct ord_result *a, struct ord_result *b,
		     char **ret_why);

#endif /* ALIASCTL_ORDERINGS_JSON_H */
