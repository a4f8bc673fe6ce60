"""Pages of the portal's core: the probes and the officers' portal frame (the public site: `public`)."""

import functools
import logging

from celery import current_app as celery_app
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .authority import READS, Action, authority_require
from .models import ADMIN_ROLES, AdministrativeUnit
from .scope import scoped_role

logger = logging.getLogger(__name__)


def scoped_get_object_or_404(queryset, user, **lookup):
    """The portal's only way to fetch one scoped record: outside the user's scope it does not exist."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def _portal_member(user) -> bool:
    return (scoped_role(user) and user.unit_id) or user.is_superuser


def portal_view(view):
    """A portal page that only reads: for accounts bound to a unit (login is already required by
    middleware), whatever their role may do. A page that writes is a `portal_action`."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _portal_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.authority = READS
    return wrapper


def portal_action(action: Action, *, post_only: bool = False):
    """A portal page that writes: only for users who may do `action` (`fund_portal.authority`),
    checked before the form is shown. `post_only` for a page that also shows records to any
    portal user and writes only when a form is sent (the form is hidden from the others)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _portal_member(request.user):
                raise PermissionDenied
            if request.method == "POST" or not post_only:
                authority_require(request.user, action)
            return view(request, *args, **kwargs)

        wrapper.authority = Action(action)
        wrapper.post_only = post_only
        return wrapper

    return decorate


@never_cache
def home_after_login(request):
    """Send each role to where it works."""
    user = request.user
    if user.is_superuser or user.role in ADMIN_ROLES:
        return redirect("admin:index")
    if scoped_role(user):
        return redirect("portal:dashboard")
    return redirect("donations:mine")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and the Celery broker answer, 503 otherwise."""
    checks = {}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001  any failure is "down"
        logger.warning("healthz: database check failed: %s", exc)
        checks["database"] = "error"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT_SECONDS)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker check failed: %s", exc)
        checks["broker"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _unit_page(request, template: str, unit: AdministrativeUnit):
    return render(
        request, template, {"unit": unit, "subunits": selectors.units_under(user=request.user, unit=unit)}
    )


@portal_view
def portal_dashboard(request):
    return _unit_page(request, "portal/dashboard.html", request.user.unit)


@portal_view
def portal_unit_detail(request, code):
    unit = scoped_get_object_or_404(AdministrativeUnit.objects.all(), request.user, code=code)
    return _unit_page(request, "portal/unit_detail.html", unit)


@portal_view
def portal_unit_by_id(request, pk):
    unit = scoped_get_object_or_404(AdministrativeUnit.objects.all(), request.user, pk=pk)
    return redirect(unit)
