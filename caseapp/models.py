"""Import every domain's models so SQLAlchemy and Alembic know all tables."""
from .audit.models import AuditEvent
from .auth.models import LoginAttempt, User, UserSession
from .org.models import Commune, Facility, Province
from .cases.models import Case, CaseEvent
from .clients.models import ClientChange, Client, ClientGroup, Consent, FamilyMember
from .intake.models import Intake
from .shelter.models import Bed, Room, ShelterStay
from .approvals.models import Approval
from .cases.access.models import CaseAccessGrant
from .cases.attachments.models import Attachment
from .cases.caseload.models import CaseFlag
from .cases.followups.models import FollowUp
from .plans.models import Assessment, CarePlan, PlanActivity, PlanGoal
from .referrals.models import Provider, Referral, Transfer
from .notifications.models import Notification
from .reminders.models import Reminder, SchedulerSweep
from .reports.models import ExportJob, ReferenceValue, ReportSnapshot
from .mail.models import MailPreference, OutboxMail
from .main.models import DashboardRollup
from .reports.models import StatisticsRollup
from .core.sequences import CodeSequence
from .core.storage import StoredFile, StoredFileChunk
