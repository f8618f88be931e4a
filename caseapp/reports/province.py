"""The province's numbers: the sum of its facilities' frozen reports."""


def _add(into, numbers):
    for key, value in numbers.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value


def province_numbers(snapshots, facilities_total):
    """The province's numbers: the sum of its facilities' frozen numbers. Indicator 3 counts the
    facilities whose frozen report has a case, over every active facility of the province (one that
    has not submitted counts as none — the list of missing reports says which)."""
    total = {"headline": {}, "breakdowns": {}, "shelter": {}, "indicators": {}, "commune_names": {}}
    managed: dict = {}
    for snapshot in snapshots:
        data = snapshot.data
        if "managed" in data:  # a client is managed by one facility: the facilities' people add up
            _add(managed, data["managed"])
            managed["on"] = data["managed"]["on"]
        _add(total["headline"], data["headline"])
        _add(total["breakdowns"], data["breakdowns"])
        _add(total["shelter"], data["shelter"])
        _add(total["indicators"], data["indicators"])
        total["commune_names"].update(data.get("commune_names", {}))
    for key in ("received", "counselled", "supported", "served", "cases_opened", "cases_closed"):
        total["headline"].setdefault(key, 0)
    for key in (
        "group",
        "sex",
        "age_group",
        "ethnicity",
        "commune",
        "channel",
        "problem",
        "service",
        "referral_kind",
        "referral_status",
    ):
        total["breakdowns"].setdefault(key, {})
    for key in ("admissions", "bed_nights", "stays_ended", "stay_nights_ended"):
        total["shelter"].setdefault(key, 0)
    if managed:
        for key in ("family", "group", "disability_type", "disability_degree", "disability", "care_mode"):
            managed.setdefault(key, {})
        for key in ("sex", "age_group", "ethnicity", "commune"):
            managed.setdefault(key, {})
        managed.setdefault("total", 0)
        total["managed"] = managed
    ind = total["indicators"]
    ind["facilities_with_cases"] = sum(1 for s in snapshots if s.data["indicators"]["facilities_with_cases"])
    ind["facilities_total"] = facilities_total
    ind.setdefault("ind4_people", 0)
    ind.setdefault("ind5_children", 0)
    return total
