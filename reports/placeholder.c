/* Reports: see reports/report.h. */
typedef int palscope_reports_placeholder;
