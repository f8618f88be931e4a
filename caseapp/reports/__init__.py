"""Reports: statistics of a period, the QĐ 112/QĐ-TTg programme indicators, frozen
reporting periods, the province view, reference data, and XLSX / CSV / PDF exports. Aggregates
only: no page of this blueprint shows a person, except the drill-down list for users who may open
the facility's cases."""
