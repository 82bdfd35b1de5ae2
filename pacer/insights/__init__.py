"""Insights: dashboards and their weekly snapshots, TV mode, confidence calibration and the
quarterly review (issue 14)."""
