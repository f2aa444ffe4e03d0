/* reports/html/ (the HTML report's script and style sheet), embedded by cmake/EmbedFiles.cmake. */
#ifndef PALSCOPE_REPORTS_HTML_EMBED_H
#define PALSCOPE_REPORTS_HTML_EMBED_H

#include "db/sql_embed.h"

/* Terminated by an entry with name == NULL; name is relative to reports/html/ ("report.js"). */
extern const struct sql_file html_files[];

#endif
