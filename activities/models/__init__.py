"""Programme activities. One module per activity; the app's tables all carry
`organisation_id` (TenantModel) except the per-user calendar feed, which is global like the
user it belongs to."""

from activities.models.calendar import CalendarFeed
from activities.models.challenges import ChallengeProposal, InnovationChallenge
from activities.models.consortia import ConsortiumMember, ConsortiumMilestone, ExportConsortium
from activities.models.events import (
    Event,
    EventAudience,
    EventFeedback,
    EventKind,
    EventReminder,
    Registration,
)
from activities.models.groups import (
    CompetitorDeclaration,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
)
from activities.models.missions import (
    ItineraryItem,
    MissionDelegate,
    MissionMeeting,
    TradeMission,
)

__all__ = [
    "CalendarFeed",
    "ChallengeProposal",
    "CompetitorDeclaration",
    "ConsortiumMember",
    "ConsortiumMilestone",
    "Event",
    "EventAudience",
    "EventFeedback",
    "EventKind",
    "EventReminder",
    "ExportConsortium",
    "InnovationChallenge",
    "ItineraryItem",
    "MissionDelegate",
    "MissionMeeting",
    "PeerGroup",
    "PeerGroupMeeting",
    "PeerGroupMeetingAttendee",
    "PeerGroupMember",
    "Registration",
    "TradeMission",
]
