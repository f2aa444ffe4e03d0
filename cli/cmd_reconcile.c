/* PLACEHOLDER: replaced by the work on 'palscope reconcile'. */
#include "cli/cli.h"

int
cmd_reconcile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("reconcile", "'palscope reconcile' is not built yet");
}
