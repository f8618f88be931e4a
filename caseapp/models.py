"""Import every domain's models so SQLAlchemy and Alembic know all tables."""
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import LoginAttempt, User, UserSession  # noqa: F401
from .org.models import Commune, Facility, Province  # noqa: F401
from .cases.models import Case, CaseEvent  # noqa: F401
from .clients.models import ClientChange, Client, ClientGroup, Consent, FamilyMember  # noqa: F401
from .intake.models import Intake  # noqa: F401
from .shelter.models import Bed, Room, ShelterStay  # noqa: F401
from .approvals.models import Approval  # noqa: F401
from .cases.access.models import CaseAccessGrant  # noqa: F401
from .cases.attachments.models import Attachment  # noqa: F401
from .cases.caseload.models import CaseFlag  # noqa: F401
from .cases.followups.models import FollowUp  # noqa: F401
from .plans.models import Assessment, CarePlan, PlanActivity, PlanGoal  # noqa: F401
from .referrals.models import Provider, Referral, Transfer  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .reminders.models import Reminder, SchedulerSweep  # noqa: F401
from .reports.models import ExportJob, ReferenceValue, ReportSnapshot  # noqa: F401
from .mail.models import MailPreference, OutboxMail  # noqa: F401
from .main.models import DashboardRollup  # noqa: F401
from .reports.models import StatisticsRollup  # noqa: F401
from .core.sequences import CodeSequence  # noqa: F401
from .core.storage import StoredFile, StoredFileChunk  # noqa: F401
