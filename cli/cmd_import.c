/* PLACEHOLDER: replaced by the work on 'palscope import'. */
#include "cli/cli.h"

int
cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("import", "'palscope import' is not built yet");
}
