/*
 * LMDB return codes to -errno, in one place so every caller agrees.
 */
#include "config.h"

#include <errno.h>
#include <lmdb.h>

#include "aliasdb-internal.h"

int aliasdb_lmdb_error(int rc)
{
	if (rc == MDB_SUCCESS)
		return 0;
	if (rc > 0)
		return -rc; /* LMDB passes system errors through as errno */
	switch (rc) {
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
		return -ENOSPC;
	case MDB_DBS_FULL:
	case MDB_READERS_FULL:
	case MDB_TLS_FULL:
		return -EMFILE;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_VERSION_MISMATCH:
		/* Written by an LMDB whose on-disk format we cannot read:
		 * like a newer schema, never something to modify. */
		return -EPROTO;
	case MDB_INCOMPATIBLE:
	case MDB_BAD_RSLOT:
	case MDB_BAD_TXN:
	case MDB_BAD_VALSIZE:
	case MDB_BAD_DBI:
		return -EINVAL;
	case MDB_INVALID:
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_CURSOR_FULL:
		/* The file is not what LMDB wrote: damaged, to be
		 * recovered, not a failing disk. */
		return -EUCLEAN;
	case MDB_PANIC:
	default:
		return -EIO;
	}
}
