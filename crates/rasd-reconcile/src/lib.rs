//! Incidents, control timelines and contradictions across reports.
