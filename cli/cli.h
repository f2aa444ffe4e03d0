/* The subcommands. Each lives in cli/cmd_<name>.c with its own help text. */
#ifndef PALSCOPE_CLI_CLI_H
#define PALSCOPE_CLI_CLI_H

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Each takes argv starting at the command name and returns an EXIT_* code. */
int cmd_collect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);

/* Print "palscope: error: <msg>" plus the help pointer; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The database path: --db value, else $PALSCOPE_DB, else "palscope.db". */
const char *default_db_path(const char *opt);

#endif
