#include "collector/http.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * Event loop: libcurl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION,
 * kept in an epoll set), and curl_multi_socket_action() then touches only the
 * transfer whose socket is ready. (curl_multi_perform() walked every transfer on
 * every wake-up, each with a poll() of its own socket.) libcurl's own timeouts
 * are read with curl_multi_timeout() on every turn rather than through
 * CURLMOPT_TIMERFUNCTION, whose callback libcurl skips when the due time did not
 * change: a turn that ran its timers a little early would then lose the timeout.
 */
struct http_engine {
	CURLM *multi;
	int epfd;
	struct http_engine_opts opts;
	struct http_req *queue;		/* waiting to start, in submit order */
	struct http_req *queue_tail;
	int running;
	bool woken;
	bool proxy_env;			/* a proxy variable is set: libcurl reads them */
	struct http_stats stats;
	struct http_req **active;	/* in-flight requests, max_parallel slots */
	CURL *pool[64];			/* reset easy handles kept for reuse */
	int pool_n;
	unsigned rng;
};

struct http_req *
http_req_new(const char *method, const char *url)
{
	struct http_req *r = xcalloc(1, sizeof(*r));

	r->method = xstrdup(method);
	r->url = xstrdup(url);
	r->retry_after_ms = -1;
	return r;
}

void
http_req_free(struct http_req *req)
{
	if (req == NULL)
		return;
	free(req->method);
	free(req->url);
	if (req->body) {
		/* Token bodies carry a client secret: do not leave it in freed memory. */
		memset(req->body, 0, strlen(req->body));
		free(req->body);
	}
	if (req->auth_header) {
		memset(req->auth_header, 0, strlen(req->auth_header));
		free(req->auth_header);
	}
	if (req->extra_header) { /* App Service's X-IDENTITY-HEADER is a secret */
		memset(req->extra_header, 0, strlen(req->extra_header));
		free(req->extra_header);
	}
	buf_release(&req->resp);
	curl_slist_free_all(req->hdrs);
	if (req->tag && req->tag_free)
		req->tag_free(req->tag);
	free(req);
}

/* libcurl: watch socket s for `what` (CURL_POLL_*), or stop watching it. */
static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http_engine *e = userp;
	struct epoll_event ev = { .data.fd = s };

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/*
		 * Removed before libcurl closes the socket (or keeps an idle connection),
		 * so the entry is never left to fire for a socket nobody watches.
		 */
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev.events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev.events |= EPOLLOUT;
	/* socketp is NULL until curl_multi_assign(): the first call since a REMOVE adds. */
	int op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(e->epfd, op, s, &ev) != 0) {
		int alt = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if ((errno != EEXIST && errno != ENOENT) || epoll_ctl(e->epfd, alt, s, &ev) != 0) {
			log_error("epoll_ctl: %s", strerror(errno));
			return -1;
		}
	}
	if (socketp == NULL)
		curl_multi_assign(e->multi, s, e);
	return 0;
}

/*
 * libcurl looks up its proxy variables (5 getenv calls, each a walk over the
 * whole environment, which holds one secret variable per identity) for every
 * transfer. When none is set, saying "no proxy" once per handle is the same.
 */
static bool
proxy_env_set(void)
{
	static const char *const names[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
					     "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
					     "no_proxy", "NO_PROXY" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getenv(names[i]))
			return true;
	return false;
}

struct http_engine *
http_engine_new(const struct http_engine_opts *opts)
{
	struct http_engine *e = xcalloc(1, sizeof(*e));

	e->opts = *opts;
	if (e->opts.max_parallel < 1)
		e->opts.max_parallel = 1;
	e->active = xcalloc((size_t)e->opts.max_parallel, sizeof(*e->active));
	e->multi = curl_multi_init();
	if (e->multi == NULL)
		die("cannot create a libcurl multi handle");
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		die("epoll_create1: %s", strerror(errno));
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)e->opts.max_parallel);
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)e->opts.max_parallel * 2);
	curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	/* Per process: the clock alone gives processes started together one rhythm. */
	e->rng = (unsigned)now_ms() ^ ((unsigned)getpid() * 0x9e3779b9u) ^ (unsigned)(uintptr_t)e;
	e->proxy_env = proxy_env_set();
	return e;
}

static void
drop_queue(struct http_engine *e)
{
	while (e->queue) {
		struct http_req *r = e->queue;
		e->queue = r->next;
		http_req_free(r);
	}
	e->queue_tail = NULL;
}

void
http_engine_free(struct http_engine *e)
{
	if (e == NULL)
		return;
	drop_queue(e);
	for (int i = 0; i < e->pool_n; i++)
		curl_easy_cleanup(e->pool[i]);
	curl_multi_cleanup(e->multi);
	close(e->epfd);
	free(e->active);
	free(e);
}

const struct http_stats *
http_engine_stats(const struct http_engine *e)
{
	return &e->stats;
}

void
http_submit(struct http_engine *e, struct http_req *req)
{
	req->engine = e;
	req->next = NULL;
	if (e->queue_tail)
		e->queue_tail->next = req;
	else
		e->queue = req;
	e->queue_tail = req;
}

void
http_engine_wakeup(struct http_engine *e)
{
	e->woken = true;
}

/* ---- pure helpers ---------------------------------------------------- */

static bool
body_has_code(const char *body, const char *code)
{
	/* Cheap check on the ARM error body: "code":"ExpiredAuthenticationToken" */
	char needle[96];

	if (body == NULL)
		return false;
	snprintf(needle, sizeof(needle), "\"%s\"", code);
	return strstr(body, needle) != NULL;
}

enum http_verdict
http_classify(CURLcode cc, long status, const char *body, int attempts,
	      const struct retry_policy *p)
{
	bool can_retry = attempts < p->max_attempts;

	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return can_retry ? HTTP_RETRY : HTTP_DONE;
	default:
		return HTTP_DONE;
	}
	switch (status) {
	case 401:
		if (body_has_code(body, "ExpiredAuthenticationToken") ||
		    body_has_code(body, "InvalidAuthenticationToken"))
			return HTTP_REAUTH;
		return HTTP_DONE;
	case 408:
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		return can_retry ? HTTP_RETRY : HTTP_DONE;
	default:
		return HTTP_DONE;
	}
}

/* xorshift32 (Marsaglia): enough to spread retries; the state is never 0. */
static unsigned
next_rand(unsigned *s)
{
	unsigned x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

int64_t
http_retry_delay_ms(int attempts, int64_t retry_after_ms, const struct retry_policy *p,
		    unsigned *rng)
{
	int64_t d;

	if (retry_after_ms >= 0) {
		d = retry_after_ms;
	} else {
		d = p->base_ms;
		for (int i = 1; i < attempts && d < p->max_ms; i++)
			d *= 2;
		/* Full jitter on the upper half: [d/2, d]. */
		d = d / 2 + (int64_t)(next_rand(rng) % (unsigned)(d / 2 + 1));
	}
	return d > p->max_ms ? p->max_ms : d;
}

int64_t
http_parse_retry_header(const char *line, size_t len, time_t now)
{
	static const char cm[] = "x-ms-ratelimit-microsoft.costmanagement-";
	const char *colon = memchr(line, ':', len);
	char name[128], value[128];
	size_t nl, vl;

	if (colon == NULL)
		return -1;
	nl = (size_t)(colon - line);
	if (nl >= sizeof(name))
		return -1;
	memcpy(name, line, nl);
	name[nl] = '\0';
	const char *v = colon + 1;
	const char *end = line + len;
	while (v < end && isspace((unsigned char)*v))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	vl = (size_t)(end - v);
	if (vl >= sizeof(value))
		return -1;
	memcpy(value, v, vl);
	value[vl] = '\0';

	bool is_ra = strcasecmp(name, "Retry-After") == 0;
	bool is_cm = strncasecmp(name, cm, sizeof(cm) - 1) == 0 && nl > 12 &&
		     strcasecmp(name + nl - 12, "-retry-after") == 0;
	if (!is_ra && !is_cm)
		return -1;
	char *ep;
	double secs = strtod(value, &ep);
	if (ep != value && *ep == '\0' && secs >= 0)
		return (int64_t)(secs * 1000.0);
	if (is_ra) {
		time_t t = http_date_parse(value);
		if (t >= 0)
			return t > now ? (int64_t)(t - now) * 1000 : 0;
	}
	return -1;
}

static bool
url_parts(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	return ok;
}

bool
http_same_origin(const char *url, const char *base)
{
	char *s1 = NULL, *h1 = NULL, *p1 = NULL, *s2 = NULL, *h2 = NULL, *p2 = NULL;
	bool same = url && base && url_parts(url, &s1, &h1, &p1) && url_parts(base, &s2, &h2, &p2) &&
		    strcasecmp(s1, s2) == 0 && strcasecmp(h1, h2) == 0 && strcmp(p1, p2) == 0;

	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

bool
http_is_loopback(const char *url)
{
	char *s = NULL, *h = NULL, *p = NULL;
	bool lo = false;

	if (url_parts(url, &s, &h, &p)) {
		lo = strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
		     strcmp(h, "::1") == 0;
		if (!lo && strncmp(h, "127.", 4) == 0) {
			int a, b, c, d;
			char tail;
			lo = sscanf(h, "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
			     b >= 0 && b < 256 && c >= 0 && c < 256 && d >= 0 && d < 256;
		}
	}
	curl_free(s);
	curl_free(h);
	curl_free(p);
	return lo;
}

bool
http_is_imds(const char *url)
{
	char *s = NULL, *h = NULL, *p = NULL;
	bool imds = url_parts(url, &s, &h, &p) && strcasecmp(s, "http") == 0 &&
		    strcmp(h, "169.254.169.254") == 0 && strcmp(p, "80") == 0;

	curl_free(s);
	curl_free(h);
	curl_free(p);
	return imds;
}

/* ---- transfers ------------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb;

	if (r->resp.len + n > r->engine->opts.max_body) {
		snprintf(r->errbuf, sizeof(r->errbuf), "response larger than %zu bytes",
			 r->engine->opts.max_body);
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	buf_add(&r->resp, data, n);
	return n;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb;

	if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (e.g. after 100-continue): forget earlier hints. */
		r->retry_after_ms = -1;
		return n;
	}
	int64_t hint = http_parse_retry_header(line, n, time(NULL));
	if (hint > r->retry_after_ms)
		r->retry_after_ms = hint;
	static const char rid[] = "x-ms-request-id:";
	if (n > sizeof(rid) - 1 && strncasecmp(line, rid, sizeof(rid) - 1) == 0) {
		const char *v = line + sizeof(rid) - 1;
		const char *end = line + n;
		while (v < end && isspace((unsigned char)*v))
			v++;
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		size_t vl = (size_t)(end - v);
		if (vl >= sizeof(r->request_id))
			vl = sizeof(r->request_id) - 1;
		memcpy(r->request_id, v, vl);
		r->request_id[vl] = '\0';
	}
	return n;
}

static CURL *
easy_get(struct http_engine *e)
{
	if (e->pool_n > 0)
		return e->pool[--e->pool_n];
	CURL *h = curl_easy_init();
	if (h == NULL)
		die("cannot create a libcurl easy handle");
	return h;
}

static void
easy_put(struct http_engine *e, CURL *h)
{
	if (e->pool_n < (int)(sizeof(e->pool) / sizeof(e->pool[0]))) {
		curl_easy_reset(h);
		e->pool[e->pool_n++] = h;
	} else {
		curl_easy_cleanup(h);
	}
}

static void
start(struct http_engine *e, struct http_req *r)
{
	CURL *h = easy_get(e);

	r->easy = h;
	r->attempts++;
	r->status = 0;
	r->cc = CURLE_OK;
	r->errbuf[0] = '\0';
	r->request_id[0] = '\0';
	r->retry_after_ms = -1;
	buf_reset(&r->resp);
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	if (r->content_type) {
		char ct[128];
		snprintf(ct, sizeof(ct), "Content-Type: %s", r->content_type);
		r->hdrs = curl_slist_append(r->hdrs, ct);
	}
	if (r->auth_header)
		r->hdrs = curl_slist_append(r->hdrs, r->auth_header);
	if (r->extra_header)
		r->hdrs = curl_slist_append(r->hdrs, r->extra_header);
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");

	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "palscope/" PALSCOPE_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 r->connect_timeout_ms > 0 ? r->connect_timeout_ms : e->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, e->opts.timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	/*
	 * Plain http: loopback endpoints only, and a managed identity's request to a loopback
	 * address or IMDS (169.254.169.254, the one non-loopback http address ever used; never
	 * through a proxy).
	 */
	bool mi_http = r->managed_identity && (http_is_loopback(r->url) || http_is_imds(r->url));
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
			 e->opts.allow_http || mi_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (r->managed_identity) {
		curl_easy_setopt(h, CURLOPT_PROXY, "");
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	} else if (!e->proxy_env) {
		curl_easy_setopt(h, CURLOPT_PROXY, "");
		curl_easy_setopt(h, CURLOPT_NOPROXY, "");
	}
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (e->opts.ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->opts.ca_bundle);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* a managed identity's plain http has nothing to multiplex: its requests need not wait for
	 * one another's connection (off Azure each would wait out the one before: 1 s each) */
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, r->managed_identity ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
		if (r->body || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
		    strcmp(r->method, "PATCH") == 0) {
			const char *b = r->body ? r->body : "";
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, b);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
		}
		if (strcmp(r->method, "DELETE") == 0 && r->body == NULL)
			curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	}
	if (e->opts.trace)
		log_debug("%s %s (try %d)", r->method, r->is_token ? "<token endpoint>" : r->url,
			  r->attempts);
	e->stats.requests++;
	for (int i = 0; i < e->opts.max_parallel; i++) {
		if (e->active[i] == NULL) {
			e->active[i] = r;
			break;
		}
	}
	CURLMcode mc = curl_multi_add_handle(e->multi, h);
	if (mc != CURLM_OK)
		die("curl_multi_add_handle: %s", curl_multi_strerror(mc));
	e->running++;
}

static int64_t
fill_slots(struct http_engine *e)
{
	int64_t now = now_ms(), next_wake = -1;
	struct http_req **pp = &e->queue, *prev = NULL;

	while (*pp && e->running < e->opts.max_parallel) {
		struct http_req *r = *pp;
		if (r->not_before > now) {
			if (next_wake < 0 || r->not_before < next_wake)
				next_wake = r->not_before;
			prev = r;
			pp = &r->next;
			continue;
		}
		int prep = e->opts.prepare ? e->opts.prepare(r, e->opts.prepare_payload) : 0;
		if (prep == 1) {
			if (r->not_before > now && (next_wake < 0 || r->not_before < next_wake))
				next_wake = r->not_before;
			prev = r;
			pp = &r->next;
			continue;
		}
		if (prep == 0 && r->on_start) {
			int (*fn)(struct http_req *) = r->on_start;
			r->on_start = NULL; /* once, not again on retries */
			if (fn(r) < 0)
				prep = -1;
		}
		/* Unlink r. */
		*pp = r->next;
		if (e->queue_tail == r)
			e->queue_tail = prev;
		r->next = NULL;
		if (prep < 0) {
			e->stats.failures++;
			r->cc = CURLE_ABORTED_BY_CALLBACK;
			r->done(r, r->payload);
			/* done() may have submitted new requests at the tail; restart the scan. */
			pp = &e->queue;
			prev = NULL;
			continue;
		}
		start(e, r);
	}
	/*
	 * The queue past this point is not scanned for wake times: the loop stops only
	 * at the parallel cap, and then nothing can start before a transfer ends, which
	 * wakes epoll_wait() anyway. (Scanning it cost O(queue) per poll wake-up.)
	 */
	return next_wake;
}

static void
finish(struct http_engine *e, CURL *h, CURLcode cc)
{
	struct http_req *r = NULL;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(e->multi, h);
	e->running--;
	for (int i = 0; i < e->opts.max_parallel; i++)
		if (e->active[i] == r)
			e->active[i] = NULL;
	r->cc = cc;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc != CURLE_OK && r->errbuf[0] == '\0')
		snprintf(r->errbuf, sizeof(r->errbuf), "%s", curl_easy_strerror(cc));
	curl_off_t connected_us = 0;
	if (cc != CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
	r->not_connected = cc != CURLE_OK && connected_us == 0;
	r->easy = NULL;
	easy_put(e, h);

	if (r->status == 429)
		e->stats.throttled++;
	enum http_verdict v = http_classify(cc, r->status, buf_cstr(&r->resp), r->attempts,
					    &e->opts.retry);
	if (r->connect_timeout_ms > 0 && r->not_connected)
		v = HTTP_DONE; /* a probe: nothing listens there, trying again will not help */
	if (v == HTTP_REAUTH && !r->auth_retried) {
		/* The prepare hook sees auth_header == NULL and fetches a new token. */
		r->auth_retried = true;
		if (r->auth_header) {
			memset(r->auth_header, 0, strlen(r->auth_header));
			free(r->auth_header);
			r->auth_header = NULL;
		}
		r->not_before = 0;
		r->token_rejected = true; /* tells the prepare hook the token is stale */
		r->attempts--;		  /* a refresh is not a failed attempt */
		e->stats.retries++;
		http_submit(e, r);
		return;
	}
	if (v == HTTP_RETRY) {
		int64_t d = http_retry_delay_ms(r->attempts, r->retry_after_ms, &e->opts.retry, &e->rng);
		r->not_before = now_ms() + d;
		e->stats.retries++;
		if (e->opts.on_retry)
			e->opts.on_retry(r, e->opts.prepare_payload);
		log_info("retrying %s %s in %lld ms (%s)", r->method,
			 r->is_token ? "<token endpoint>" : r->url, (long long)d,
			 cc != CURLE_OK ? r->errbuf : "HTTP error");
		http_submit(e, r);
		return;
	}
	if (cc != CURLE_OK || r->status >= 400)
		e->stats.failures++;
	r->done(r, r->payload);
}

static int
socket_action(struct http_engine *e, curl_socket_t fd, int ev, struct err *err)
{
	int still = 0;
	CURLMcode mc = curl_multi_socket_action(e->multi, fd, ev, &still);

	if (mc != CURLM_OK)
		return err_set(err, RC_HTTP, "the HTTP engine failed: libcurl: %s",
			       curl_multi_strerror(mc));
	return 0;
}

int
http_engine_run(struct http_engine *e, volatile sig_atomic_t *stop, struct err *err)
{
	struct epoll_event evs[64];

	for (;;) {
		if (stop && *stop)
			break;
		e->woken = false;
		int64_t wake = fill_slots(e);
		if (e->running == 0 && e->queue == NULL)
			return 0;

		/* Due libcurl timers, among them the start of newly added transfers. */
		long due = -1;
		curl_multi_timeout(e->multi, &due);
		if (due == 0 && socket_action(e, CURL_SOCKET_TIMEOUT, 0, err) < 0)
			return RC_HTTP;
		CURLMsg *m;
		int left;
		bool finished = false;
		while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
			if (m->msg == CURLMSG_DONE) {
				finish(e, m->easy_handle, m->data.result);
				finished = true;
			}
		}
		if (finished || e->woken)
			continue;

		int timeout = 1000;
		if (wake >= 0) {
			int64_t d = wake - now_ms();
			timeout = d < 0 ? 0 : (d < 1000 ? (int)d : 1000);
		}
		if (e->running == 0 && wake < 0)
			timeout = 10; /* deferred on an outside event: poll gently */
		curl_multi_timeout(e->multi, &due);
		if (due >= 0 && due < timeout)
			timeout = (int)due;
		int n = epoll_wait(e->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		if (n < 0 && errno != EINTR)
			return err_set(err, RC_HTTP, "the HTTP engine failed: epoll_wait: %s",
				       strerror(errno));
		for (int i = 0; i < n; i++) {
			int ev = 0;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				ev |= CURL_CSELECT_IN;
			if (evs[i].events & EPOLLOUT)
				ev |= CURL_CSELECT_OUT;
			if (evs[i].events & EPOLLERR)
				ev |= CURL_CSELECT_ERR;
			if (socket_action(e, evs[i].data.fd, ev, err) < 0)
				return RC_HTTP;
		}
	}
	/* Stopped: abandon in-flight transfers. */
	for (int i = 0; i < e->opts.max_parallel; i++) {
		struct http_req *r = e->active[i];
		if (r == NULL)
			continue;
		curl_multi_remove_handle(e->multi, r->easy);
		curl_easy_cleanup(r->easy);
		http_req_free(r);
		e->active[i] = NULL;
	}
	e->running = 0;
	drop_queue(e);
	return 0;
}
