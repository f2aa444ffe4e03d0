/*
 * The HTTP engine: one libcurl multi handle, a queue of requests, at most
 * `max_parallel` transfers at once, retries with Retry-After / backoff that
 * never sleep (a request waits in the queue until its not_before time, so a
 * throttled tenant never stalls the others), and a completion callback per
 * request. Single-threaded; no locks.
 */
#ifndef PALSCOPE_COLLECTOR_HTTP_H
#define PALSCOPE_COLLECTOR_HTTP_H

#include <signal.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

struct http_engine;
struct http_req;

/* What to do with a finished transfer (a pure decision; see http_classify). */
enum http_verdict {
	HTTP_DONE,	/* hand the response to the callback */
	HTTP_RETRY,	/* transient: requeue after a delay */
	HTTP_REAUTH,	/* 401 with an expired/invalid token: refresh once, then retry */
};

struct retry_policy {
	int max_attempts;	/* total tries, including the first */
	int64_t base_ms;	/* first backoff; doubles each attempt */
	int64_t max_ms;		/* backoff and Retry-After cap */
};

/*
 * Called before a queued request is started. Return 0 to start it (the hook
 * may set req->auth_header), 1 to keep it queued (e.g. waiting for a token;
 * call http_engine_wakeup when that changes), or -1 to fail it at once with
 * req->errbuf set.
 */
typedef int (*http_prepare_fn)(struct http_req *req, void *payload);
typedef void (*http_done_fn)(struct http_req *req, void *payload);
/* Told when a request is requeued for a retry (req->not_before is set). */
typedef void (*http_retry_fn)(struct http_req *req, void *payload);

struct http_req {
	/* Set by the caller (owned by the request, freed by http_req_free). */
	char *method;		/* "GET", "POST", ... */
	char *url;
	char *body;		/* request body or NULL */
	const char *content_type; /* static string or NULL */
	char *auth_header;	/* "Authorization: Bearer ..." set by the prepare hook */
	bool is_token;		/* token request: never logged with its body */
	char *extra_header;	/* one more "Name: value" header or NULL (wiped when freed) */
	bool managed_identity;	/* a managed identity's token request: http allowed to a
				 * loopback address or IMDS only, never through a proxy */
	long connect_timeout_ms; /* 0: the engine's; else this, and a connect that fails or
				  * times out is final, not retried (the IMDS probe) */
	http_done_fn done;
	void *payload;		/* the caller's context for done/prepare */
	void *tag;		/* another caller pointer (e.g. a request chain) */
	void *principal;	/* who the request is sent as (see collector/session.h) */
	void (*tag_free)(void *); /* frees tag if the request is dropped unfinished */
	/*
	 * Called once, just before the request is first sent (after prepare), e.g.
	 * to record an intent. Return 0 to send it, or -1 (errbuf set) to fail it
	 * at once like a prepare failure. NULL: nothing to call.
	 */
	int (*on_start)(struct http_req *req);
	int kind;		/* caller's request kind */

	/* Results, valid in done(). */
	CURLcode cc;
	long status;		/* 0 when no response arrived */
	struct buf resp;	/* response body */
	char request_id[80];	/* x-ms-request-id or similar */
	char errbuf[CURL_ERROR_SIZE];
	int attempts;		/* tries made */
	bool not_connected;	/* the transfer failed before a connection was made */
	bool auth_retried;
	bool token_rejected;	/* set when a 401 asked for a new token; the hook clears it */
	long auth_gen;		/* the caller's token generation used for auth_header */

	/* Engine bookkeeping. */
	int64_t not_before;	/* monotonic ms */
	int64_t retry_after_ms;	/* largest retry hint seen in the last response, -1 if none */
	CURL *easy;
	struct curl_slist *hdrs;
	struct http_req *next;
	struct http_engine *engine;
};

struct http_stats {
	long requests;		/* transfers started */
	long retries;
	long throttled;		/* 429 responses */
	long failures;
};

struct http_engine_opts {
	int max_parallel;
	long connect_timeout_ms;
	long timeout_ms;
	bool allow_http;	/* plain http (loopback endpoints only) */
	const char *ca_bundle;	/* NULL: system store */
	size_t max_body;	/* response cap in bytes */
	struct retry_policy retry;
	http_prepare_fn prepare;
	http_retry_fn on_retry;
	void *prepare_payload;	/* payload of prepare and on_retry */
	bool trace;		/* -vv: log request lines (never headers or bodies) */
};

struct http_engine *http_engine_new(const struct http_engine_opts *opts);
void http_engine_free(struct http_engine *e);

/* A new request, owned by the engine once submitted. */
struct http_req *http_req_new(const char *method, const char *url);
void http_req_free(struct http_req *req);

/* Queue a request. Its done callback runs exactly once, from http_engine_run. */
void http_submit(struct http_engine *e, struct http_req *req);

/* Re-check deferred requests (e.g. a token arrived). */
void http_engine_wakeup(struct http_engine *e);

/*
 * Run until no request is queued or in flight, or *stop becomes true (then
 * in-flight transfers are abandoned and queued ones dropped without callback).
 * Returns 0, or RC_HTTP with err set (the cause: a libcurl multi or epoll error).
 */
int http_engine_run(struct http_engine *e, volatile sig_atomic_t *stop, struct err *err);

const struct http_stats *http_engine_stats(const struct http_engine *e);

/* The retry decision, exposed for unit tests. */
enum http_verdict http_classify(CURLcode cc, long status, const char *body, int attempts,
				const struct retry_policy *p);

/*
 * Delay before the next try: the retry hint if any, else backoff with jitter
 * drawn from *rng (the engine's generator, seeded per process, so processes
 * started together do not back off in step).
 */
int64_t http_retry_delay_ms(int attempts, int64_t retry_after_ms, const struct retry_policy *p,
			    unsigned *rng);

/*
 * Parse one response header line for retry hints: Retry-After (seconds or
 * HTTP date) and x-ms-ratelimit-microsoft.costmanagement-*-retry-after.
 * Returns the hint in ms, or -1 when the line is not one.
 */
int64_t http_parse_retry_header(const char *line, size_t len, time_t now);

/* True when url's scheme, host and port equal base's (nextLink safety). */
bool http_same_origin(const char *url, const char *base);

/* True for http(s) URLs whose host is a loopback address or localhost. */
bool http_is_loopback(const char *url);

/* True for http://169.254.169.254 (port 80): Azure's Instance Metadata Service. */
bool http_is_imds(const char *url);

#endif
