/* Unit tests: a per-process scratch database under /tmp, and its removal with WAL files. */
#ifndef PALSCOPE_TESTS_TEMPDB_H
#define PALSCOPE_TESTS_TEMPDB_H

#include <stdio.h>
#include <unistd.h>

/* "/tmp/palscope-test-<tag>-<pid>.db" into out. */
static inline void
tempdb_path(char *out, size_t n, const char *tag)
{
	snprintf(out, n, "/tmp/palscope-test-%s-%d.db", tag, (int)getpid());
}

/* Remove the database and its -wal and -shm files (missing ones are fine). */
static inline void
tempdb_remove(const char *path)
{
	char p[512];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

#endif
