-- Every period the database holds a run of (any status), oldest first: what a report for a
-- period with no run names instead (reports/period.c).
SELECT DISTINCT period FROM run ORDER BY period;
