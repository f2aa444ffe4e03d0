/* PLACEHOLDER until the collector lands. */
#include "cli/cli.h"

int
cmd_collect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return usage_error("collect", "not built yet");
}
