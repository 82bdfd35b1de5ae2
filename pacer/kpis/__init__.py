"""KPIs: health metrics outside cycles, with thresholds and a history of values (issue 14)."""
