#include "collector/token_cache.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_NAME "login.json"
#define CACHE_MAX (64u * 1024)

int
token_cache_paths(char *dir, char *file, size_t n, struct err *err)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char d[PATH_MAX];
	int len;

	/* The XDG base directory spec: a relative $XDG_STATE_HOME is ignored. */
	if (state && state[0] == '/')
		len = snprintf(d, sizeof(d), "%s/palscope", state);
	else if (home && home[0] == '/')
		len = snprintf(d, sizeof(d), "%s/.local/state/palscope", home);
	else
		return err_set(err, RC_USAGE,
			       "neither $XDG_STATE_HOME nor $HOME is an absolute path: nowhere to keep "
			       "the sign-in");
	if (len < 0 || (size_t)len >= sizeof(d) || (size_t)len + sizeof(CACHE_NAME) + 1 > n)
		return err_set(err, RC_USAGE, "the token cache path is too long");
	if (dir)
		memcpy(dir, d, (size_t)len + 1);
	if (file) {
		memcpy(file, d, (size_t)len);
		file[len] = '/';
		memcpy(file + len + 1, CACHE_NAME, sizeof(CACHE_NAME));
	}
	return 0;
}

/* mkdir -p with 0700 for what is created; the last component ends up 0700. */
static int
make_dir(const char *path, struct err *err)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return err_set(err, RC_IO, "cannot create '%s': %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return err_set(err, RC_IO, "cannot create '%s': %s", p, strerror(errno));
	if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(err, RC_IO, "'%s' is not a directory", p);
	if (st.st_uid != geteuid())
		return err_set(err, RC_IO, "'%s' belongs to another user", p);
	if ((st.st_mode & 07777) != 0700 && chmod(p, 0700) < 0)
		return err_set(err, RC_IO, "cannot make '%s' private (0700): %s", p, strerror(errno));
	return 0;
}

static const char *
jstr(const cJSON *root, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
token_cache_load(struct user_credential *c, char *login_url, size_t n, struct err *err)
{
	char file[PATH_MAX];
	struct stat st;
	struct buf b = BUF_INIT;
	cJSON *root = NULL;
	char chunk[4096];
	ssize_t got;
	int fd, rc = 0;

	memset(c, 0, sizeof(*c));
	if ((rc = token_cache_paths(NULL, file, sizeof(file), err)) < 0)
		return rc;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return err_set(err, RC_NOTFOUND, "not signed in (no %s): run palscope login", file);
	if (fd < 0)
		return err_set(err, RC_IO, "cannot read the token cache '%s': %s", file,
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		rc = err_set(err, RC_IO, "the token cache '%s' is not a file of this user", file);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = err_set(err, RC_IO,
			     "the token cache '%s' can be read by others (mode %04o, not 0600): it is "
			     "not used; run palscope logout, then palscope login",
			     file, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 && b.len < CACHE_MAX)
		buf_add(&b, chunk, (size_t)got);
	root = cJSON_ParseWithLength(b.ptr ? b.ptr : "", b.len);
	const char *rt = root ? jstr(root, "refresh_token") : NULL;
	const char *cid = root ? jstr(root, "client_id") : NULL;
	const char *home = root ? jstr(root, "home_tenant") : NULL;
	if (rt == NULL || !*rt || cid == NULL || !is_guid(cid) || home == NULL || !is_guid(home)) {
		rc = err_set(err, RC_PARSE,
			     "the token cache '%s' is not readable: run palscope login again", file);
		goto out;
	}
	snprintf(c->client_id, sizeof(c->client_id), "%s", cid);
	snprintf(c->home_tenant, sizeof(c->home_tenant), "%s", home);
	snprintf(c->oid, sizeof(c->oid), "%s", jstr(root, "object_id") ? jstr(root, "object_id") : "");
	snprintf(c->upn, sizeof(c->upn), "%s", jstr(root, "upn") ? jstr(root, "upn") : "");
	c->refresh_token = xstrdup(rt);
	if (login_url)
		snprintf(login_url, n, "%s", jstr(root, "login_url") ? jstr(root, "login_url") : "");
out:
	if (root) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "refresh_token");
		if (cJSON_IsString(v))
			memset(v->valuestring, 0, strlen(v->valuestring));
	}
	cJSON_Delete(root);
	if (b.ptr)
		memset(b.ptr, 0, b.len);
	buf_release(&b);
	close(fd);
	return rc;
}

int
token_cache_save(const struct user_credential *c, const char *login_url, struct err *err)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX + 32];
	char now[32];
	int rc, fd;

	if ((rc = token_cache_paths(dir, file, sizeof(file), err)) < 0 ||
	    (rc = make_dir(dir, err)) < 0)
		return rc;
	now_iso(now, sizeof(now));
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "login_url", login_url);
	cJSON_AddStringToObject(root, "client_id", c->client_id);
	cJSON_AddStringToObject(root, "home_tenant", c->home_tenant);
	cJSON_AddStringToObject(root, "object_id", c->oid);
	cJSON_AddStringToObject(root, "upn", c->upn);
	cJSON_AddStringToObject(root, "saved_at", now);
	cJSON_AddStringToObject(root, "refresh_token", c->refresh_token ? c->refresh_token : "");
	char *text = cJSON_Print(root);
	cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "refresh_token");
	memset(v->valuestring, 0, strlen(v->valuestring));
	cJSON_Delete(root);

	snprintf(tmp, sizeof(tmp), "%s/.login.json.XXXXXX", dir);
	fd = mkstemp(tmp); /* 0600, O_EXCL, in the same directory: rename is atomic */
	if (fd < 0) {
		rc = err_set(err, RC_IO, "cannot write the token cache in '%s': %s", dir,
			     strerror(errno));
		goto out;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		rc = err_set(err, RC_IO, "cannot write the token cache '%s': %s", tmp,
			     strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, file) < 0) {
		rc = err_set(err, RC_IO, "cannot replace the token cache '%s': %s", file,
			     strerror(errno));
		unlink(tmp);
		goto out;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename itself survives a crash */
		close(dfd);
	}
out:
	memset(text, 0, strlen(text));
	free(text);
	return rc;
}

int
token_cache_remove(bool *removed, struct err *err)
{
	char file[PATH_MAX];
	int rc;

	*removed = false;
	if ((rc = token_cache_paths(NULL, file, sizeof(file), err)) < 0)
		return rc;
	if (unlink(file) == 0) {
		*removed = true;
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	return err_set(err, RC_IO, "cannot delete the token cache '%s': %s", file, strerror(errno));
}
