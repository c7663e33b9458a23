/*
 * Unit tests for fs/door.c: the records of programs that replace an alias
 * with a directory. Real processes stand for the callers (this one, a
 * child, an exited child), so the pidfd and /proc paths are exercised.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/afs.h"
#include "fs/door.h"
#include "fs/inode.h"

struct fixture {
	struct afs_fs fs;
	struct afs_inode dir; /* stands for a door directory */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	pthread_mutex_init(&f->fs.table_lock, NULL);
	afs_doors_init(&f->fs);
	f->dir.kind = AFS_KIND_DIR;
	f->dir.persistent = true; /* never freed by the records */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	afs_doors_free(&f->fs);
	pthread_mutex_destroy(&f->fs.table_lock);
	free(f);
	return 0;
}

static struct afs_caller caller(pid_t tid)
{
	struct afs_caller c = {.tid = tid};

	return c;
}

/* A child that waits until @wfd's other end closes. */
static pid_t waiting_child(int *ret_wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	*ret_wfd = p[1];
	return pid;
}

static void test_unlink_then_door(void **state)
{
	struct fixture *f = *state;
	struct afs_caller me = caller(getpid()), other = caller(1);
	struct afs_inode *d = NULL;

	assert_false(afs_doors_active(&f->fs));
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib", &d),
			 AFS_DOOR_NONE);
	assert_int_equal(afs_door_note_unlink(&f->fs, &me, "/lib", "/usr/lib"),
			 0);
	assert_true(afs_doors_active(&f->fs));
	/* Gone for the program, the alias (uncached) for others. */
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib", &d),
			 AFS_DOOR_GONE);
	other = caller(1);
	assert_int_equal(afs_door_alias_view(&f->fs, &other, "/lib", &d),
			 AFS_DOOR_VOLATILE);
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/bin", &d),
			 AFS_DOOR_NONE);
	assert_true(afs_door_unlinked(&f->fs, &me, "/lib"));
	assert_false(afs_door_unlinked(&f->fs, &me, "/bin"));
	/* Its mkdir: the door. */
	assert_int_equal(afs_door_attach(&f->fs, &me, "/lib", &f->dir), 0);
	assert_int_equal(f->dir.refs, 1);
	assert_int_equal(afs_door_attach(&f->fs, &me, "/lib", &f->dir),
			 -EEXIST);
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib", &d),
			 AFS_DOOR_OPEN);
	assert_ptr_equal(d, &f->dir);
	assert_int_equal(f->dir.nlookup, 1);
	/* Others cannot open one without an unlink of their own. */
	other = caller(1);
	assert_int_equal(afs_door_attach(&f->fs, &other, "/lib", &f->dir),
			 -EEXIST);
	/* rmdir of the door: unlinked again. */
	assert_int_equal(afs_door_detach(&f->fs, &me, "/lib"), 0);
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib", &d),
			 AFS_DOOR_GONE);
	/* The alias made again. */
	afs_door_forget(&f->fs, &me, "/lib");
	assert_false(afs_doors_active(&f->fs));
}

static void test_unknown_caller(void **state)
{
	struct fixture *f = *state;
	struct afs_caller nobody = caller(0);

	assert_int_equal(
		afs_door_note_unlink(&f->fs, &nobody, "/lib", "/usr/lib"),
		-EPERM);
	assert_false(afs_doors_active(&f->fs));
}

static void test_removal_waits_for_both_spellings(void **state)
{
	struct fixture *f = *state;
	struct afs_caller me = caller(getpid()), other = caller(1);
	const char *p = "/usr/lib/x86_64-linux-gnu/libfoo.so";

	assert_int_equal(afs_door_note_unlink(&f->fs, &me, "/lib", "/usr/lib"),
			 0);
	/* No door yet: removals are plain. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 0);
	assert_int_equal(afs_door_attach(&f->fs, &me, "/lib", &f->dir), 0);
	/* Through the door: deferred, hidden that way from the program. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 1);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, true),
			 AFS_DOOR_NAME_HIDDEN);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, false),
			 AFS_DOOR_NAME_VOLATILE);
	assert_int_equal(afs_door_name_view(&f->fs, &other, p, true),
			 AFS_DOOR_NAME_VOLATILE);
	/* Again the same way: still deferred. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 1);
	/* Others' removals are theirs. */
	other = caller(1);
	assert_int_equal(afs_door_remove_rule(&f->fs, &other, p, false), 0);
	/* The other spelling too: now. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, false), 0);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, true),
			 AFS_DOOR_NAME_PLAIN);
	/* The canonical spelling first works the same. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, false), 1);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, false),
			 AFS_DOOR_NAME_HIDDEN);
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 0);
	/* Outside the canonical directory, and the directory itself. */
	assert_int_equal(
		afs_door_remove_rule(&f->fs, &me, "/usr/bin/foo", true), 0);
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, "/usr/lib", true),
			 0);
	assert_int_equal(
		afs_door_remove_rule(&f->fs, &me, "/usr/libexec/x", true), 0);
	afs_door_forget(&f->fs, &me, "/lib");
}

static void test_recreated_name(void **state)
{
	struct fixture *f = *state;
	struct afs_caller me = caller(getpid());
	const char *p = "/usr/lib/a";

	assert_int_equal(afs_door_note_unlink(&f->fs, &me, "/lib", "/usr/lib"),
			 0);
	assert_int_equal(afs_door_attach(&f->fs, &me, "/lib", &f->dir), 0);
	/* tar replacing a file: removed and made again the same way. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 1);
	assert_int_equal(afs_door_creating(&f->fs, &me, p, true), 1);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, true),
			 AFS_DOOR_NAME_PLAIN);
	/* Made the other way: visible there, nothing to carry out; the
	 * deferral is forgotten. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 1);
	assert_int_equal(afs_door_creating(&f->fs, &me, p, false), 0);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, true),
			 AFS_DOOR_NAME_PLAIN);
	/* A rename onto it by anybody: forgotten too. */
	assert_int_equal(afs_door_remove_rule(&f->fs, &me, p, true), 1);
	assert_int_equal(afs_door_creating(&f->fs, NULL, p, true), 0);
	assert_int_equal(afs_door_name_view(&f->fs, &me, p, true),
			 AFS_DOOR_NAME_PLAIN);
	afs_door_forget(&f->fs, &me, "/lib");
}

static void test_children_are_family(void **state)
{
	struct fixture *f = *state;
	struct afs_caller me = caller(getpid()), child;
	struct afs_inode *d = NULL;
	int wfd, status;
	pid_t pid;

	assert_int_equal(afs_door_note_unlink(&f->fs, &me, "/lib", "/usr/lib"),
			 0);
	assert_int_equal(afs_door_attach(&f->fs, &me, "/lib", &f->dir), 0);
	pid = waiting_child(&wfd);
	assert_true(pid > 0);
	child = caller(pid);
	assert_int_equal(afs_door_alias_view(&f->fs, &child, "/lib", &d),
			 AFS_DOOR_OPEN);
	close(wfd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	afs_door_forget(&f->fs, &me, "/lib");
}

static void test_reap(void **state)
{
	struct fixture *f = *state;
	struct afs_caller me = caller(getpid()), c1, c2;
	struct afs_inode *d = NULL;
	char **aliases;
	int wfd1, wfd2, status;
	pid_t p1, p2;

	p1 = waiting_child(&wfd1);
	p2 = waiting_child(&wfd2);
	assert_true(p1 > 0 && p2 > 0);
	c1 = caller(p1);
	c2 = caller(p2);
	/* p1 only unlinks lib32 (rm /lib32); p2 replaces lib. */
	assert_int_equal(
		afs_door_note_unlink(&f->fs, &c1, "/lib32", "/usr/lib32"), 0);
	assert_int_equal(afs_door_note_unlink(&f->fs, &c2, "/lib", "/usr/lib"),
			 0);
	c2 = caller(p2);
	assert_int_equal(afs_door_attach(&f->fs, &c2, "/lib", &f->dir), 0);
	assert_int_equal(afs_doors_reap(&f->fs, &aliases), 0);
	/* This process is neither of them. */
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib32", &d),
			 AFS_DOOR_VOLATILE);
	close(wfd1);
	close(wfd2);
	assert_int_equal(waitpid(p1, &status, 0), p1);
	assert_int_equal(waitpid(p2, &status, 0), p2);
	/* Exited: everybody sees the aliases; lib32 is to be removed if
	 * unused, lib (it had a door) is not. */
	me = caller(getpid());
	assert_int_equal(afs_door_alias_view(&f->fs, &me, "/lib32", &d),
			 AFS_DOOR_NONE);
	assert_int_equal(afs_doors_reap(&f->fs, &aliases), 1);
	assert_string_equal(aliases[0], "/lib32");
	free(aliases[0]);
	free(aliases);
	assert_false(afs_doors_active(&f->fs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unlink_then_door, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_caller, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_removal_waits_for_both_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recreated_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_children_are_family, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
