/*
 * The token cache of palscope login: one file, login.json, in
 * $XDG_STATE_HOME/palscope/ (default ~/.local/state/palscope/), holding the
 * signed-in user's refresh token, client id, home tenant, object id, UPN and
 * the sign-in endpoint. The directory is 0700 and the file 0600, written to
 * a temporary file in the same directory, synced and renamed over the old
 * one, so a reader sees the old or the new file, never a part. A file that
 * others could read, or that is not a regular file of this user, is refused.
 * Access tokens are never cached.
 */
#ifndef PALSCOPE_COLLECTOR_TOKEN_CACHE_H
#define PALSCOPE_COLLECTOR_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "collector/user_auth.h"
#include "common/err.h"

/* The cache's directory and file into dir/file (PATH_MAX bytes each, or NULL). */
int token_cache_paths(char *dir, char *file, size_t n, struct err *err);

/*
 * Read the cache into c (its refresh token owned by c) and the endpoint it
 * was signed in at into login_url (n bytes). RC_NOTFOUND when nobody is signed in.
 */
int token_cache_load(struct user_credential *c, char *login_url, size_t n, struct err *err);

/* Write c and login_url, atomically, creating the directory (0700) when needed. */
int token_cache_save(const struct user_credential *c, const char *login_url, struct err *err);

/* Delete the cache; *removed says whether there was one. */
int token_cache_remove(bool *removed, struct err *err);

#endif
