"""The admin of incidents (vụ việc): visible only with the sensitive permission.

Incidents are recorded in the portal (which alerts the district). Here district staff with the
permission read them, record the intervention on an open one and close intervened ones, each
through the services of `children.services.incidents`; nothing is deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund_portal.admin import ScopedAdminMixin
from fund_portal.authority import Action

from ..incidents import deadline_text, format_local, incident_deadline
from ..models import AccessAction, Incident, IncidentStatus
from ..selectors.registry import can_see_sensitive
from ..services.incidents import incident_close, incident_intervene, intervention_check
from ..services.registry import access_log

READ_ONLY = [
    "commune",
    "kind",
    "urgent",
    "status",
    "occurred_at",
    "reported_at",
    "deadline",
    "child",
    "child_description",
    "description",
    "recorded_by",
    "recorded_at",
]


class InterventionAdminForm(forms.ModelForm):
    """The intervention on an open incident, checked by the service's own rule before saving."""

    class Meta:
        model = Incident
        fields = ["actions", "intervened_at"]

    def clean(self):
        data = super().clean()
        if self.instance.status == IncidentStatus.OPEN and not self.errors:
            try:
                intervention_check(
                    incident=self.instance,
                    actions=data.get("actions", ""),
                    intervened_at=data.get("intervened_at"),
                )
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return data


@admin.register(Incident)
class IncidentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = InterventionAdminForm
    list_display = ["reported_at", "kind", "commune", "urgent", "status", "deadline", "intervened_at"]
    list_filter = ["status", "urgent", "kind"]
    list_select_related = ["commune"]
    search_fields = ["commune__name"]
    date_hierarchy = "occurred_at"
    actions = ["close_selected"]

    @admin.display(description=gettext_lazy("intervention due"))
    def deadline(self, obj):
        due = incident_deadline(obj)
        text = format_local(due)
        if obj.status == IncidentStatus.OPEN:
            text += f" ({deadline_text(due)})"
        return text

    def _allowed(self, request) -> bool:
        return can_see_sensitive(request.user)

    def has_module_permission(self, request):
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == IncidentStatus.OPEN:
            return READ_ONLY
        return [*READ_ONLY, "actions", "intervened_at"]

    def get_fields(self, request, obj=None):
        return [*READ_ONLY, "actions", "intervened_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.has_view_permission(request):
            # get_object: None for an id that is no number, where filter(pk=...) raised ValueError.
            incident = self.get_object(request, object_id)
            if incident is not None:
                access_log(
                    user=request.user,
                    action=AccessAction.SENSITIVE,
                    child=incident.child,
                    unit=incident.commune,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if obj.status == IncidentStatus.OPEN and (obj.actions or obj.intervened_at):
            incident_intervene(
                incident=obj, by=request.user, actions=obj.actions, intervened_at=obj.intervened_at
            )

    @admin.action(
        permissions=[Action.INCIDENT_HANDLE],
        description=gettext_lazy("Close the selected incidents (intervention recorded)"),
    )
    def close_selected(self, request, queryset):
        closed = 0
        for incident in queryset:
            try:
                incident_close(incident=incident, by=request.user)
                closed += 1
            except ValidationError as error:
                self.message_user(request, f"{incident}: {' '.join(error.messages)}", messages.ERROR)
        if closed:
            self.message_user(request, _("%(count)d incidents closed.") % {"count": closed}, messages.SUCCESS)
