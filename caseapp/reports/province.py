"""The province's numbers: the sum of its facilities' frozen reports.

The workforce figures add up too, without counting anyone twice: each agency of the register is kept
by one facility and each person belongs to one agency (workforce.counts), so the facilities' agencies,
people, trained people, training attendances and collaborators are parts of the province's. What does
not add up is recounted from the parts the reports keep: the communes covered by collaborators (two
facilities may each have one in a commune) from the collaborators per commune, over the communes of
the province (each facility's report counts its collaborators over them); indicator 1's agencies list
is the facilities' lists together. A facility that has not submitted, or froze its report before the
register was counted, adds none — as for every other figure, the list of missing reports says which.
"""

from ..core.text import vn_sort_key


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
    workforce = _workforce_sum([s.data["workforce"] for s in snapshots if "workforce" in s.data])
    if workforce is not None:
        total["workforce"] = workforce
    ind = total["indicators"]
    ind["facilities_with_cases"] = sum(1 for s in snapshots if s.data["indicators"]["facilities_with_cases"])
    ind["facilities_total"] = facilities_total
    ind.setdefault("ind4_people", 0)
    ind.setdefault("ind5_children", 0)
    return total


def _workforce_sum(parts: list[dict]) -> dict | None:
    """The workforce figures of the facilities' reports as the province's (None: none has them)."""
    if not parts:
        return None
    total: dict = {"on": parts[0]["on"], "since": parts[0]["since"], "agencies": [], "commune_names": {}}
    for part in parts:
        for key in ("indicator_1", "indicator_2", "collaborators", "members", "training", "communication"):
            _add(total.setdefault(key, {}), part[key])
        total["agencies"] += part["agencies"]
        total["commune_names"].update(part.get("commune_names", {}))
    total["agencies"].sort(key=lambda row: (row[3] > 0, vn_sort_key(row[0])))
    total["training"].setdefault("by_kind", {})
    total["training"].setdefault("people", 0)
    total["coverage"] = _coverage(total["collaborators"], max(part["coverage"]["communes"] for part in parts))
    return total


def _coverage(by_commune: dict[str, dict[str, int]], communes: int) -> dict[str, int]:
    """workforce.counts.coverage of the collaborators per commune of the province."""
    full = [code for code, n in by_commune.items() if n.get("full_time")]
    part = [code for code, n in by_commune.items() if n.get("part_time")]
    return {
        "communes": communes,
        "covered": len(set(full) | set(part)),
        "covered_full_time": len(full),
        "covered_part_time": len(part),
        "full_time": sum(n.get("full_time", 0) for n in by_commune.values()),
        "part_time": sum(n.get("part_time", 0) for n in by_commune.values()),
    }
