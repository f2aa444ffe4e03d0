#include "collector/auth.h"
#include "collector/aadsts.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void
strip_slash(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '/')
		n--;
	buf_add(b, s, n);
}

char *
auth_token_url(const char *login_base, const char *tenant_id)
{
	struct buf b = BUF_INIT;

	strip_slash(&b, login_base);
	buf_addc(&b, '/');
	buf_add_urlenc(&b, tenant_id);
	buf_adds(&b, "/oauth2/v2.0/token");
	return buf_detach(&b);
}

/*
 * A client-credentials form body: client_id, scope "{resource}/.default", the credential's
 * fields (n name/value pairs, values URL-encoded), grant_type.
 */
static char *
client_credentials_body(const char *client_id, const char *resource, const char *const *kv,
			size_t n)
{
	struct buf b = BUF_INIT, scope = BUF_INIT;

	strip_slash(&scope, resource);
	buf_adds(&scope, "/.default");
	buf_adds(&b, "client_id=");
	buf_add_urlenc(&b, client_id);
	buf_adds(&b, "&scope=");
	buf_add_urlenc(&b, buf_cstr(&scope));
	for (size_t i = 0; i < n; i++) {
		buf_addc(&b, '&');
		buf_adds(&b, kv[2 * i]);
		buf_addc(&b, '=');
		buf_add_urlenc(&b, kv[2 * i + 1]);
	}
	buf_adds(&b, "&grant_type=client_credentials");
	buf_release(&scope);
	return buf_detach(&b);
}

char *
auth_token_body(const char *client_id, const char *secret, const char *resource)
{
	const char *kv[] = { "client_secret", secret };

	return client_credentials_body(client_id, resource, kv, 1);
}

char *
auth_assertion_body(const char *client_id, const char *assertion, const char *resource)
{
	const char *kv[] = { "client_assertion_type",
			     "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
			     "client_assertion", assertion };

	return client_credentials_body(client_id, resource, kv, 2);
}

/* A number, or a string holding one (IMDS and App Service send them as strings); -1 if neither. */
static double
json_number(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring[0] >= '0' && v->valuestring[0] <= '9')
		return atof(v->valuestring);
	return -1;
}

int
auth_parse_token_response(long http_status, const char *body, char **token, time_t *expires_at,
			  struct err *err)
{
	cJSON *root = cJSON_Parse(body);
	int rc = 0;

	*token = NULL;
	if (root == NULL) {
		rc = err_set(err, RC_AUTH, "sign-in failed: HTTP %ld with an unreadable body",
			     http_status);
		goto out;
	}
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	if (http_status != 200 || !cJSON_IsString(at) || at->valuestring[0] == '\0') {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
		if (!cJSON_IsString(d)) /* App Service's managed identity endpoint: message */
			d = cJSON_GetObjectItemCaseSensitive(root, "message");
		char desc[300] = "";
		if (cJSON_IsString(d)) {
			/* First line only: AADSTS text carries trace ids after a newline. */
			snprintf(desc, sizeof(desc), "%s", d->valuestring);
			desc[strcspn(desc, "\r\n")] = '\0';
		}
		rc = err_set(err, RC_AUTH, "sign-in failed: HTTP %ld %s%s%s", http_status,
			     cJSON_IsString(e) ? e->valuestring : "no access_token",
			     desc[0] ? ": " : "", desc);
		goto out;
	}
	/* expires_in (seconds), else expires_on (epoch: App Service's 2019-08-01 answer) */
	double secs = json_number(cJSON_GetObjectItemCaseSensitive(root, "expires_in"));
	double on = json_number(cJSON_GetObjectItemCaseSensitive(root, "expires_on"));
	*expires_at = secs >= 0 ? now_epoch() + (time_t)secs
		      : on > 0	? (time_t)on
				: now_epoch() + 3599;
	*token = xstrdup(at->valuestring);
out:
	cJSON_Delete(root);
	return rc;
}

static int
b64url_decode(const char *in, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i], v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=')
			break;
		else
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

int
auth_token_payload(const char *token, cJSON **out, struct err *err)
{
	const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	struct buf payload = BUF_INIT;
	int rc = 0;

	*out = NULL;
	if (dot2 == NULL ||
	    b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload) < 0 ||
	    (*out = cJSON_Parse(buf_cstr(&payload))) == NULL)
		rc = err_set(err, RC_PARSE, "the access token is not a JWT");
	if (payload.ptr)
		memset(payload.ptr, 0, payload.len);
	buf_release(&payload);
	return rc;
}

int
auth_token_claims(const char *token, char *oid_out, char *tid_out, time_t *exp_out,
		  struct err *err)
{
	cJSON *root = NULL;
	int rc = auth_token_payload(token, &root, err);

	if (rc < 0)
		return rc;
	const cJSON *oid = cJSON_GetObjectItemCaseSensitive(root, "oid");
	if (!cJSON_IsString(oid) || !is_guid(oid->valuestring)) {
		rc = err_set(err, RC_PARSE, "the access token has no 'oid' claim");
		goto out;
	}
	snprintf(oid_out, 37, "%s", oid->valuestring);
	if (tid_out) {
		const cJSON *tid = cJSON_GetObjectItemCaseSensitive(root, "tid");
		snprintf(tid_out, 37, "%s", cJSON_IsString(tid) ? tid->valuestring : "");
	}
	if (exp_out) {
		const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "exp");
		*exp_out = cJSON_IsNumber(exp) ? (time_t)exp->valuedouble : 0;
	}
out:
	cJSON_Delete(root);
	return rc;
}

/* environ without the variables named in unset (a new array of the same strings). */
static char **
child_env(const char *const *unset, size_t n_unset)
{
	size_t n = 0, k = 0;

	while (environ && environ[n])
		n++;
	char **env = xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i], *eq = strchr(e, '=');
		size_t len = eq ? (size_t)(eq - e) : strlen(e);
		bool drop = false;
		for (size_t u = 0; u < n_unset && !drop; u++)
			drop = strlen(unset[u]) == len && memcmp(unset[u], e, len) == 0;
		if (!drop)
			env[k++] = environ[i];
	}
	env[k] = NULL;
	return env;
}

/* What a child printed on stderr (at most 64 KiB of it) from the temporary file f, into out. */
static void
read_stderr(FILE *f, struct buf *out)
{
	char chunk[4096];
	size_t n;

	rewind(f);
	while (out->len < (64u << 10) && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
}

/*
 * Run argv (argv[0] looked up in PATH) with the environment minus unset and collect its
 * standard output (at most 1 MiB) into out; what names the program in messages. With errout,
 * its standard error goes there too (an unlinked temporary file while it runs), else to ours.
 */
static int
run_capture(const char *what, char *const argv[], const char *const *unset, size_t n_unset,
	    struct buf *out, struct buf *errout, struct err *err)
{
	char chunk[4096];
	ssize_t n;
	int fds[2], status = 0, serr;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	FILE *ef = NULL;

	fflush(NULL);
	if (errout && (ef = tmpfile()) == NULL)
		return err_set(err, RC_AUTH, "cannot run %s: no temporary file: %s", what,
			       strerror(errno));
	if (pipe(fds) != 0) {
		if (ef)
			fclose(ef);
		return err_set(err, RC_AUTH, "cannot run %s: %s", what, strerror(errno));
	}
	char **env = child_env(unset, n_unset);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (ef)
		posix_spawn_file_actions_adddup2(&fa, fileno(ef), STDERR_FILENO);
	serr = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(fds[1]);
	if (serr != 0) {
		close(fds[0]);
		if (ef)
			fclose(ef);
		return err_set(err, RC_AUTH, "cannot run %s: %s", what, strerror(serr));
	}
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len < (1u << 20))
			buf_add(out, chunk, (size_t)n);
	}
	memset(chunk, 0, sizeof(chunk));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ef) {
		read_stderr(ef, errout);
		fclose(ef);
	}
	if (status != 0)
		return err_set(err, RC_AUTH, "%s exited with status %d", what,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static void
wipe_buf(struct buf *b)
{
	if (b->ptr)
		memset(b->ptr, 0, b->len);
	buf_release(b);
}

int
auth_run_token_command(const char *command, const char *const *unset, size_t n_unset,
		       char **token, struct err *err)
{
	struct buf out = BUF_INIT;
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)command, NULL };
	int rc;

	*token = NULL;
	if ((rc = run_capture("token_command", argv, unset, n_unset, &out, NULL, err)) < 0)
		goto out;
	const char *p = buf_cstr(&out);
	while (*p && isspace((unsigned char)*p))
		p++;
	size_t len = strcspn(p, "\r\n\t ");
	if (len == 0) {
		rc = err_set(err, RC_AUTH, "token_command printed no token");
		goto out;
	}
	*token = xmalloc(len + 1);
	memcpy(*token, p, len);
	(*token)[len] = '\0';
out:
	wipe_buf(&out);
	return rc;
}

/*
 * Why az failed, from what it printed on stderr: "ERROR: AADSTS50076: ..." then "Interactive
 * authentication is needed. Please run:\naz login --scope ..." (azure-cli's aad_error_handler,
 * src/azure-cli-core/azure/cli/core/auth/util.py). A known AADSTS code gets its fix with
 * `az login --tenant T`; anything else keeps az's first line.
 */
static int
az_failed(const char *tenant_id, const char *msg, const struct buf *errout, struct err *err)
{
	const char *text = buf_cstr(errout), *p = strstr(text, "AADSTS");
	long code = p ? strtol(p + 6, NULL, 10) : 0;
	char line[512];

	if (code > 0 && tenant_id && aadsts_explain_as(code, tenant_id, NULL, "az login", line,
						       sizeof(line)))
		return err_set(err, RC_AUTH, "az account get-access-token: %s", line);
	while (*text && isspace((unsigned char)*text))
		text++;
	int len = (int)strcspn(text, "\r\n");
	if (len > 200)
		len = 200;
	if (tenant_id)
		return err_set(err, RC_AUTH, "%.300s%s%.*s (sign in with: az login --tenant %s)", msg,
			       len ? ": " : "", len, text, tenant_id);
	return err_set(err, RC_AUTH, "%.300s%s%.*s (sign in with: az login)", msg, len ? ": " : "",
		       len, text);
}

int
auth_run_az(const char *tenant_id, const char *resource, const char *const *unset,
	    size_t n_unset, char **token, time_t *expires_at, char *tenant_out, struct err *err)
{
	struct buf out = BUF_INIT, errout = BUF_INIT;
	char *argv[12];
	size_t k = 0;
	cJSON *root = NULL;
	int rc;

	argv[k++] = (char *)"az";
	argv[k++] = (char *)"account";
	argv[k++] = (char *)"get-access-token";
	if (tenant_id) {
		argv[k++] = (char *)"--tenant";
		argv[k++] = (char *)tenant_id;
	}
	argv[k++] = (char *)"--resource";
	argv[k++] = (char *)resource;
	argv[k++] = (char *)"--output";
	argv[k++] = (char *)"json";
	argv[k] = NULL;
	*token = NULL;
	*expires_at = 0;
	if (tenant_out)
		tenant_out[0] = '\0';
	if ((rc = run_capture("az account get-access-token", argv, unset, n_unset, &out, &errout,
			      err)) < 0) {
		char m[sizeof(err->msg)];
		memcpy(m, err->msg, sizeof(m));
		rc = az_failed(tenant_id, m, &errout, err);
		goto out;
	}
	root = cJSON_Parse(buf_cstr(&out));
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
	if (!cJSON_IsString(at) || at->valuestring[0] == '\0') {
		rc = err_set(err, RC_AUTH, "az account get-access-token printed no accessToken");
		goto out;
	}
	/* expires_on: epoch seconds (az 2.54+); expiresOn is local time without a zone */
	double on = json_number(cJSON_GetObjectItemCaseSensitive(root, "expires_on"));
	*expires_at = on > 0 ? (time_t)on : 0;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "tenant");
	if (tenant_out && cJSON_IsString(t) && is_guid(t->valuestring))
		snprintf(tenant_out, 37, "%s", t->valuestring);
	*token = xstrdup(at->valuestring);
out:
	if (root) {
		cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
		if (cJSON_IsString(a))
			memset(a->valuestring, 0, strlen(a->valuestring));
	}
	cJSON_Delete(root);
	wipe_buf(&out);
	buf_release(&errout);
	return rc;
}
