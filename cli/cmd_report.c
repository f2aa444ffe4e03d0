/* PLACEHOLDER: replaced by the reports work (issue 3). */
#include "cli/cli.h"

int
cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("report", "reports are not built yet");
}

int
cmd_why(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("why", "why is not built yet");
}
