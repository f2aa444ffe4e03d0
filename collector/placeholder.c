/* Collector: see collector/collector.h. */
typedef int palscope_collector_placeholder;
