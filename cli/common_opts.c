/*
 * Option helpers shared by the commands that talk to Azure (collect, link):
 * the cloud table, endpoint URL checks (http:// only for loopback hosts) and
 * partner ID validation.
 */
#include "cli/cli.h"
#include "collector/collector.h"
#include "collector/http.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "reports/period.h"
#include "reports/report.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cloud clouds[] = {
	{ "public", "https://management.azure.com", "https://login.microsoftonline.com",
	  "https://graph.microsoft.com" },
	{ "china", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
	  "https://microsoftgraph.chinacloudapi.cn" },
	{ "usgov", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
	  "https://graph.microsoft.us" },
};

const struct cli_cloud *
cli_find_cloud(const char *name)
{
	for (size_t i = 0; i < sizeof(clouds) / sizeof(clouds[0]); i++)
		if (strcmp(clouds[i].name, name) == 0)
			return &clouds[i];
	return NULL;
}

char *
cli_normalise_url(const char *url)
{
	char *u = xstrdup(url);
	size_t n = strlen(u);

	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	return u;
}

int
cli_check_url(const char *cmd, const char *opt, const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return 0;
	if (strncmp(url, "http://", 7) == 0) {
		if (http_is_loopback(url))
			return 0;
		return usage_error(cmd, "%s '%s': http:// is allowed only for loopback hosts", opt,
				   url);
	}
	return usage_error(cmd, "%s '%s' is not an https:// URL", opt, url);
}

bool
cli_valid_partner_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 12)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool
cli_parse_run_id(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	int64_t v = 0;

	if (n == 0 || n > 18)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return v > 0;
}

int
cli_endpoints_resolve(const char *cmd, const struct cli_endpoint_opts *in,
		      struct cli_endpoints *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->cloud = cli_find_cloud(in->cloud ? in->cloud : "public");
	if (out->cloud == NULL)
		return usage_error(cmd, "--cloud '%s' must be public, china or usgov", in->cloud);
	out->arm = cli_normalise_url(in->arm_url ? in->arm_url : out->cloud->arm);
	/*
	 * Login: --login-url, else AZURE_AUTHORITY_HOST as the Azure SDKs read it (a host name
	 * alone means https://), else the cloud's.
	 */
	const char *authority = getenv("AZURE_AUTHORITY_HOST");
	const char *login_opt = "--login-url";
	if (in->login_url) {
		out->login = cli_normalise_url(in->login_url);
	} else if (authority && *authority) {
		login_opt = "AZURE_AUTHORITY_HOST";
		if (strstr(authority, "://") == NULL)
			out->login = xasprintf("https://%s", authority);
		else
			out->login = xstrdup(authority);
		char *n = cli_normalise_url(out->login);
		free(out->login);
		out->login = n;
	} else {
		out->login = cli_normalise_url(out->cloud->login);
	}
	/*
	 * Graph: --graph-url, else the cloud's; an --arm-url on a loopback host (the fake Azure
	 * endpoint, which serves Graph too) is also the default Graph endpoint, so such a run
	 * never contacts anything else.
	 */
	out->graph = cli_normalise_url(in->graph_url ? in->graph_url
				       : in->arm_url && http_is_loopback(out->arm) ? out->arm
										    : out->cloud->graph);
	if ((rc = cli_check_url(cmd, "--arm-url", out->arm)) != 0 ||
	    (rc = cli_check_url(cmd, login_opt, out->login)) != 0 ||
	    (rc = cli_check_url(cmd, "--graph-url", out->graph)) != 0)
		goto fail;
	if (in->ca_bundle && access(in->ca_bundle, R_OK) != 0) {
		rc = usage_error(cmd, "--ca-bundle '%s' cannot be read", in->ca_bundle);
		goto fail;
	}
	return 0;
fail:
	cli_endpoints_release(out);
	return rc;
}

void
cli_endpoints_release(struct cli_endpoints *e)
{
	free(e->arm);
	free(e->login);
	free(e->graph);
	e->arm = e->login = e->graph = NULL;
}

struct azure_endpoint
cli_azure_endpoint(const struct cli_endpoints *e, const char *ca_bundle, long concurrency,
		   long timeout_s)
{
	struct azure_endpoint ep = {
		.arm_url = e->arm,
		.login_url = e->login,
		.resource = e->cloud->arm,
		.graph_url = e->graph,
		.graph_resource = e->cloud->graph,
		.ca_bundle = ca_bundle,
		.concurrency = concurrency > 0 ? (int)concurrency : 16,
		.connect_timeout_ms = 10000,
		.timeout_ms = (timeout_s > 0 ? timeout_s : 120) * 1000,
		.retry = collect_default_retry(),
	};
	return ep;
}

volatile sig_atomic_t cli_got_signal;
volatile sig_atomic_t cli_stop_flag;

static void
on_stop_signal(int sig)
{
	cli_got_signal = sig;
	cli_stop_flag = 1;
}

void
cli_on_stop_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
cli_report_period(struct db *db, const char **period, char *buf, size_t n, struct err *err)
{
	int rc;

	if (*period == NULL) {
		if ((rc = report_default_period(db, buf, n, err)) < 0)
			return rc;
		*period = buf;
	}
	if ((rc = report_period_check(db, *period, err)) < 0)
		return rc;
	report_period_warn_partial(db, *period);
	return 0;
}
