"""The core: typed rows, anomalies, indicators, funding, schedules, suppression, sheet layouts as data. No I/O."""
