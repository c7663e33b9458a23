/*
 * Per-architecture merged-/usr alias sets, after debootstrap's
 * setup_merged_usr table (bin sbin lib + the biarch directories).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aliasdb-internal.h"

extern char **environ;

#define BASE "bin", "sbin", "lib"

static const char *const set_plain[] = {BASE, NULL};
static const char *const set_amd64[] = {BASE, "lib32", "lib64", "libx32", NULL};
static const char *const set_i386[] = {BASE, "lib64", "libx32", NULL};
static const char *const set_32_64[] = {BASE, "lib32", "lib64", NULL};
static const char *const set_mips64[] = {BASE, "lib32", "lib64", "libo32",
					 NULL};
static const char *const set_64[] = {BASE, "lib64", NULL};
static const char *const set_32[] = {BASE, "lib32", NULL};

/*
 * Debian architecture names, sorted, and their sets. debootstrap matches
 * patterns (mips64*, mipsn32*); they are expanded here to the real names
 * they match. Its "mips|mipsel" does not match mipsr6/mipsr6el, which
 * thus get the plain set. loong64 follows debootstrap's intent
 * (loongarch64*: lib32 lib64), not its literal pattern, which misses the
 * Debian name.
 */
/* clang-format off */
#define ARCH_TABLE(X) \
	X("alpha", set_plain) \
	X("amd64", set_amd64) \
	X("arc", set_plain) \
	X("arm", set_plain) \
	X("arm64", set_plain) \
	X("armeb", set_plain) \
	X("armel", set_plain) \
	X("armhf", set_plain) \
	X("hppa", set_plain) \
	X("i386", set_i386) \
	X("ia64", set_plain) \
	X("loong64", set_32_64) \
	X("m68k", set_plain) \
	X("mips", set_32_64) \
	X("mips64", set_mips64) \
	X("mips64el", set_mips64) \
	X("mips64r6", set_mips64) \
	X("mips64r6el", set_mips64) \
	X("mipsel", set_32_64) \
	X("mipsn32", set_mips64) \
	X("mipsn32el", set_mips64) \
	X("mipsn32r6", set_mips64) \
	X("mipsn32r6el", set_mips64) \
	X("mipsr6", set_plain) \
	X("mipsr6el", set_plain) \
	X("or1k", set_plain) \
	X("powerpc", set_64) \
	X("powerpcspe", set_plain) \
	X("ppc64", set_32_64) \
	X("ppc64el", set_64) \
	X("riscv64", set_plain) \
	X("s390", set_plain) \
	X("s390x", set_32) \
	X("sh3", set_plain) \
	X("sh4", set_plain) \
	X("sparc", set_64) \
	X("sparc64", set_32_64) \
	X("x32", set_amd64)

#define ARCH_NAME(name, set) name,
#define ARCH_SET(name, set) set,
/* clang-format on */

static const char *const known[] = {ARCH_TABLE(ARCH_NAME) NULL};
static const char *const *const arch_sets[] = {ARCH_TABLE(ARCH_SET)};

#define N_ARCH (sizeof(arch_sets) / sizeof(arch_sets[0]))

int aliasdb_arch_defaults(const char *arch, const char *const **ret_names)
{
	size_t i, n;

	if (!arch)
		return -EINVAL;
	for (i = 0; i < N_ARCH; i++) {
		if (strcmp(known[i], arch) != 0)
			continue;
		for (n = 0; arch_sets[i][n]; n++)
			;
		*ret_names = arch_sets[i];
		return (int)n;
	}
	/* hurd-* (and anything else) has no merged /usr. */
	return -ENOENT;
}

const char *const *aliasdb_arch_known(void)
{
	return known;
}

static const char *compiler_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "x32";
#elif defined(__x86_64__)
	return "amd64";
#elif defined(__i386__)
	return "i386";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
	return "armhf";
#elif defined(__arm__)
	return "armel";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64el";
#elif defined(__powerpc64__)
	return "ppc64";
#elif defined(__powerpc__)
	return "powerpc";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__loongarch64)
	return "loong64";
#elif defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "mips64el";
#elif defined(__mips__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "mipsel";
#elif defined(__sparc__) && defined(__arch64__)
	return "sparc64";
#elif defined(__alpha__)
	return "alpha";
#elif defined(__hppa__)
	return "hppa";
#elif defined(__m68k__)
	return "m68k";
#elif defined(__sh__)
	return "sh4";
#elif defined(__ia64__)
	return "ia64";
#else
	return NULL;
#endif
}

/* Run `dpkg --print-architecture` quietly; 0 and a name, or -errno. */
static int dpkg_arch(char **ret_arch)
{
	char *const argv[] = {"dpkg", "--print-architecture", NULL};
	posix_spawn_file_actions_t fa;
	char out[64];
	size_t len = 0;
	int fds[2], status, r;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
						     O_WRONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						     O_RDONLY, 0);
	if (r == 0)
		r = posix_spawnp(&pid, "dpkg", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		return -r;
	}
	while (len < sizeof(out) - 1) {
		n = read(fds[0], out + len, sizeof(out) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ENOENT;
	out[len] = '\0';
	out[strcspn(out, " \t\r\n")] = '\0';
	if (!out[0])
		return -ENOENT;
	*ret_arch = strdup(out);
	return *ret_arch ? 0 : -ENOMEM;
}

int aliasdb_host_arch(char **ret_arch)
{
	const char *name;
	char *s;

	if (dpkg_arch(ret_arch) == 0)
		return 0;
	name = compiler_arch();
	if (!name)
		return -ENOENT;
	s = strdup(name);
	if (!s)
		return -ENOMEM;
	*ret_arch = s;
	return 0;
}
