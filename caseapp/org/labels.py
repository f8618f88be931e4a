"""Names of the kinds of facility, for forms, pages and the command line."""

from flask_babel import lazy_gettext as _l

from .models import FacilityType

FACILITY_TYPE_LABELS = {
    FacilityType.SOCIAL_WORK_CENTER.value: _l("Social work centre"),
    FacilityType.SOCIAL_PROTECTION_CENTER.value: _l("Social protection centre"),
    FacilityType.PRIVATE_ASSISTANCE.value: _l("Non-public social assistance facility"),
    FacilityType.SHELTER.value: _l("Trusted address - temporary shelter"),
    FacilityType.DRUG_REHAB.value: _l("Drug rehabilitation facility"),
    FacilityType.HOSPITAL.value: _l("Hospital / health centre (social work unit)"),
    FacilityType.SCHOOL.value: _l("School"),
    FacilityType.COMMUNE_COMMITTEE.value: _l("Commune People's Committee (social work collaborators)"),
    FacilityType.OTHER.value: _l("Other organisation"),
}
