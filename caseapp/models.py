"""Import every domain's models so SQLAlchemy and Alembic know all tables."""

from .approvals.models import Approval
from .audit.models import AuditEvent
from .auth.models import LoginAttempt, User, UserSession
from .cases.access.models import CaseAccessGrant
from .cases.attachments.models import Attachment
from .cases.caseload.models import CaseFlag
from .cases.followups.models import FollowUp
from .cases.models import Case, CaseEvent
from .cases.workflow.models import ClosureOverride
from .clients.identity.models import IdentityMatchRequest
from .clients.models import Client, ClientChange, Consent, FamilyMember
from .clients.rights.models import ClientAnonymisation, DataSubjectRequest, RetentionNotice, RetentionSweep
from .core.sequences import CodeSequence
from .core.storage import StoredFile, StoredFileChunk
from .intake.models import Intake
from .mail.models import MailPreference, OutboxMail
from .main.models import DashboardRollup
from .notifications.models import Notification
from .org.models import Commune, Facility, Province
from .plans.models import Assessment, CarePlan, PlanActivity, PlanGoal
from .referrals.models import Provider, Referral, Transfer
from .register.imports.models import ColumnMapping, ImportBatch, ImportRow
from .register.models import GroupMembership, MembershipVersion
from .reminders.models import Reminder, SchedulerSweep
from .reports.models import CommuneGroup, ExportJob, ReferenceValue, ReportSnapshot, StatisticsRollup
from .shelter.models import Bed, Room, ShelterStay
from .supervision.models import (
    CaseConference,
    ConferenceDecision,
    ConferenceParticipant,
    SupervisionAction,
    SupervisionSession,
)
from .workforce.models import (
    Agency,
    CommunicationActivity,
    TrainingCourse,
    TrainingParticipant,
    WorkforceMember,
)
