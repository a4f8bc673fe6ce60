"""The portal's authority model: who may do which action. Scope (`fund_portal.scope`) says which
records a user reaches; authority says what the user may do to them. Both hold for every write.

Rules, in the order `may` applies them:

1. An anonymous or inactive user may do nothing.
2. The system (`by=None`: a Celery task, a management command, the demo) may do everything; a view
   never passes None, it passes `request.user`.
3. A superuser may do everything.
4. A read-only role may do nothing, whatever permissions its account holds: the auditor (who
   stands for the fund council and the Fatherland Front's supervisor) and the national auditor
   read everything in their scope and write nothing anywhere; a donor acts only on the public site.
5. Anyone else may do an action when they hold its permission (`fund_portal.<action>`), which
   they get from their role's group. `authority_table()` below is the one table of which role's group
   holds which action; `role_groups_sync` writes it into the groups after every migration, and
   the tests read it as the expected matrix of every action x every role.

Seeing sensitive children's data (`children.view_sensitive`) is not an action of this table: it is
granted to a person, never to a role, and services check it on top of the action.

Where it is checked:

- inside every service that writes, by `@requires(Action.X)` on the service (the service refuses
  with `NotAllowed`, a `PermissionDenied` with a Vietnamese message, before it reads or writes);
- on every admin action (`permissions=[Action.X]`: the action is not offered without it) and every
  custom admin page (`@action_required(Action.X)`);
- on every portal page (`@portal_view` for pages that only read, `@portal_action(Action.X)` for
  pages that write, so a form is never shown to someone who may not send it).

A service, admin action or portal page without a declaration fails `tests/security/test_authority.py`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

APP_LABEL = "fund_portal"


class Action(models.TextChoices):
    """Everything a user may be allowed to do that changes the fund's records."""

    # Children's registry
    CHILD_REGISTER = "child_register", _("Register children and keep their records")
    CHILD_ASSESS = "child_assess", _("Assess children's needs and review them each year")
    CHILD_PRIORITY = "child_priority", _("Set children's priority by hand and the priority formula's weights")
    CHILD_MERGE = "child_merge", _("Merge or dismiss likely duplicate children")
    CHILD_IMPORT = "child_import", _("Import children from a spreadsheet")
    CHILD_EXPORT = "child_export", _("Export children's data")
    CHILD_TRANSFER = "child_transfer", _("Transfer children between communes and accept transfers")
    SUPPORT_RECORD = "support_record", _("Record support and sponsorships of children")
    INCIDENT_RECORD = "incident_record", _("Report incidents")
    INCIDENT_HANDLE = "incident_handle", _("Record interventions in incidents and close them")
    # Money
    DONATION_RECORD = "donation_record", _("Record donations received")
    DONATION_POST = "donation_post", _("Post, cancel and reverse donations and issue receipts")
    DONATION_IMPORT = "donation_import", _("Import donations from a spreadsheet")
    DONOR_MANAGE = "donor_manage", _("Keep the list of donors")
    DONOR_MERGE = "donor_merge", _("Merge donor records")
    STATEMENT_RECONCILE = "statement_reconcile", _("Import bank statements and match transfers")
    DISBURSEMENT_PROPOSE = "disbursement_propose", _("Propose disbursements")
    DISBURSEMENT_DECIDE = "disbursement_decide", _("Approve or reject disbursements")
    STOCK_MANAGE = "stock_manage", _("Receive and issue goods")
    DRIVE_MANAGE = "drive_manage", _("Keep salary drives, pledges and agencies' payments")
    # Campaigns
    CAMPAIGN_MANAGE = "campaign_manage", _("Run campaigns and events")
    GIFT_LIST_MANAGE = "gift_list_manage", _("Build and delete gift lists")
    GIFT_HANDOVER = "gift_handover", _("Record gifts handed over")
    # Reports
    REPORT_PREPARE = "report_prepare", _("Prepare and submit reports")
    REPORT_DECIDE = "report_decide", _("Accept or return reports")
    REPORT_CALENDAR = (
        "report_calendar",
        _("Keep the reporting calendar, plans and targets, the reports' recipients and signers"),
    )

    @property
    def permission(self) -> str:
        """The Django permission that grants it ("fund_portal.donation_post")."""
        return f"{APP_LABEL}.{self.value}"


def _table():
    from .models import Role

    staff, officer, volunteer = Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER, Role.VILLAGE_VOLUNTEER
    return {
        Action.CHILD_REGISTER: {staff, officer, volunteer},
        Action.CHILD_ASSESS: {staff, officer, volunteer},
        Action.CHILD_PRIORITY: {staff, officer},
        Action.CHILD_MERGE: {staff},
        Action.CHILD_IMPORT: {staff, officer},
        Action.CHILD_EXPORT: {staff, officer},
        Action.CHILD_TRANSFER: {staff, officer},
        Action.SUPPORT_RECORD: {staff, officer},
        Action.INCIDENT_RECORD: {staff, officer, volunteer},
        Action.INCIDENT_HANDLE: {staff, officer},
        Action.DONATION_RECORD: {staff, officer},
        Action.DONATION_POST: {staff, officer},
        Action.DONATION_IMPORT: {staff},
        Action.DONOR_MANAGE: {staff},
        Action.DONOR_MERGE: {staff},
        Action.STATEMENT_RECONCILE: {staff},
        Action.DISBURSEMENT_PROPOSE: {staff, officer},
        Action.DISBURSEMENT_DECIDE: {staff},
        Action.STOCK_MANAGE: {staff},
        Action.DRIVE_MANAGE: {staff},
        Action.CAMPAIGN_MANAGE: {staff},
        Action.GIFT_LIST_MANAGE: {staff},
        Action.GIFT_HANDOVER: {staff, officer},
        Action.REPORT_PREPARE: {staff, officer},
        Action.REPORT_DECIDE: {staff},
        Action.REPORT_CALENDAR: {staff},
    }


@functools.cache
def authority_table() -> dict[Action, frozenset[str]]:
    """Each action and the roles whose group holds it (the auditors and donors: none).

    The village volunteer (cộng tác viên) registers and keeps the children of their village, records
    their needs and yearly review and reports incidents (the first hours of a case are in the
    village): they record and follow up. Deciding a child's priority (by hand, or through the
    formula's weights), money, imports, exports, merges, transfers, campaigns and reports are the
    commune's and the fund's."""
    return {action: frozenset(roles) for action, roles in _table().items()}


def actions_of(role: str) -> frozenset[Action]:
    return frozenset(action for action, roles in authority_table().items() if role in roles)


def read_only(user) -> bool:
    """Roles that never write, whatever their account's permissions say."""
    from .models import READ_ONLY_ROLES

    return not user.is_superuser and user.role in READ_ONLY_ROLES


def may(user, action: Action) -> bool:
    """Whether `user` may do `action` (the system, `None`, may do everything)."""
    if user is None:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if read_only(user):
        return False
    return user.has_perm(Action(action).permission)


#: The declaration of a page that only reads (`portal_view`, public pages).
READS = "reads"


class NotAllowed(PermissionDenied, ValidationError):
    """A user tried an action their role does not give them; nothing was written.

    A `PermissionDenied` (a page that lets it through answers 403) and a `ValidationError` (a form
    or an admin action that catches a service's refusal shows its message like any other)."""

    def __init__(self, action: Action):
        self.action = Action(action)
        message = gettext("Your account may not do this: %(action)s.") % {"action": self.action.label.lower()}
        ValidationError.__init__(self, message, code="not_allowed")

    def __str__(self) -> str:
        return self.message


def authority_require(by, action: Action) -> None:
    if not may(by, action):
        raise NotAllowed(action)


def requires(action: Action, *, actor: str = "by") -> Callable:
    """Declare and check the action a service performs: `by` (or the argument named by `actor`)
    must be allowed to do it."""

    def decorate(service):
        signature = inspect.signature(service)
        if actor not in signature.parameters:
            raise TypeError(f"{service.__qualname__} takes no `{actor}`: authority needs to know who acts")

        @functools.wraps(service)
        def checked(*args, **kwargs):
            bound = signature.bind_partial(*args, **kwargs)
            by = bound.arguments[actor] if actor in bound.arguments else signature.parameters[actor].default
            if by is inspect.Parameter.empty:
                raise TypeError(f"{service.__qualname__} needs by= (the user, or None for the system)")
            authority_require(by, action)
            return service(*args, **kwargs)

        checked.authority = Action(action)
        return checked

    return decorate


def _request_of(args) -> HttpRequest:
    return next(arg for arg in args[:2] if isinstance(arg, HttpRequest))


def action_required(action: Action, *, post_only: bool = False) -> Callable:
    """Declare and check the action of a page (a view function or a ModelAdmin view method).
    `post_only`: the page also shows records to every reader, and only sending its form is the action."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            request = _request_of(args)
            if request.method == "POST" or not post_only:
                authority_require(request.user, action)
            return view(*args, **kwargs)

        checked.authority = Action(action)
        checked.post_only = post_only
        return checked

    return decorate


class AuthorityAdminMixin:
    """`has_<action>_permission` for every action, so an admin action declares
    `permissions=[Action.X]` and is offered only to users who may do X."""


def _admin_permission(action: Action):
    def has_permission(self, request) -> bool:
        return may(request.user, action)

    has_permission.__name__ = f"has_{action.value}_permission"
    return has_permission


for _action in Action:
    setattr(AuthorityAdminMixin, f"has_{_action.value}_permission", _admin_permission(_action))
del _action


def reads(view: Callable) -> Callable:
    """Declare a page (a view or a ModelAdmin view method) that changes nothing."""
    view.authority = READS
    return view
