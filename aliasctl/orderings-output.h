/*
 * aliasctl orderings: the matrix on stdout (orderings as rows, baseline
 * and view side by side, differing rows marked, colours on a terminal)
 * and the HTML page (self-contained: a click on a cell opens the
 * ordering's step log and file differences).
 */
#ifndef ALIASCTL_ORDERINGS_OUTPUT_H
#define ALIASCTL_ORDERINGS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "aliasctl/orderings-result.h"

/* Print the matrix through aliasctl_out_*. @colour: ANSI colours;
 * @width: the terminal's width to cut notes at (0: never cut). */
void ord_matrix_print(const struct ord_result *res, bool colour,
		      unsigned width);

/* Write the page to @f. */
void ord_html_write(FILE *f, const struct ord_result *res);

/* Write the page to the file @path (replaced atomically). Returns 0 or
 * -errno. */
int ord_html_save(const char *path, const struct ord_result *res);

#endif /* ALIASCTL_ORDERINGS_OUTPUT_H */
