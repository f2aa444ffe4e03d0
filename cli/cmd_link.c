/* PLACEHOLDER: replaced by the work on 'palscope link'. */
#include "cli/cli.h"

int
cmd_link(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("link", "'palscope link' is not built yet");
}
