"""The district staff's admin: branded as the fund's, every scoped list narrowed by `visible_to`."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import SENSITIVE_PERMISSION, audit_entries_visible, audit_entry_for, audit_redacted_fields
from .authority import AuthorityAdminMixin
from .models import AdministrativeUnit, NewsPost, User
from .money import format_vnd
from .scope import visible_units
from .services import unit_save, user_set_role

admin.site.site_header = settings.FUND_NAME
admin.site.site_title = _("Fund administration")
admin.site.index_title = _("Fund administration")


class ReadOnlyAdminMixin:
    """A list the services alone write (a log, the ledger, the stock): staff read it in the admin, where
    nobody adds, changes or deletes a row."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TolerantChangeList(ChangeList):
    """A changelist whose query string (`?delivered_on__year=9999999999999999999999`,
    `?resource_type=abc`) cannot cause a server error.

    Django turns a bad filter value into IncorrectLookupParameters (the list reopens without its
    filters, "?e=1") for field filters only: a year past `datetime`'s range in the date hierarchy
    raised OverflowError, and a list filter of our own or of a library (auditlog's resource type)
    that filters on the raw value raised ValueError.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError, ValidationError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        # SQLite's driver refuses an integer past 64 bits only when the query runs (PostgreSQL
        # compares it and finds nothing): `?resource_type=9999999999999999999999`.
        try:
            return super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


class OneRowLinkChangeList(TolerantChangeList):
    """The list's rows link to their change page with the list's filters and page, as Django's own do,
    the link made once for the page and the row's id put in: Django reversed every row's URL, and
    its `add_preserved_filters` resolved it again (a walk of the whole URL tree for each row of a page
    past the first, or of a search). For the long lists (children, donations)."""

    _PK = "0-pk-0"  # a stand-in for the id in the change page's URL, which takes any text

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What `items_for_result` adds to each link: empty, so it adds nothing; the links carry it.
        self.row_filters, self.preserved_filters = self.preserved_filters, ""
        self._row_link = None

    def get_results(self, request):
        """The page's rows are read with only the columns the list shows, when the model admin names
        them (`list_only`: its fields and the related records' fields its columns and rows' labels
        read). A child's record has 40 columns, the story and health notes among them, and each row
        made a model instance of them all: 2-3 ms of a 100-row page. Only the page: the actions, the
        export and the count read the list's queryset as it is (`self.queryset` is put back)."""
        columns = getattr(self.model_admin, "list_only", None)
        if not columns:
            return super().get_results(request)
        listed = self.queryset
        self.queryset = listed.only(*columns)
        try:
            return super().get_results(request)
        finally:
            self.queryset = listed

    def url_for_result(self, result):
        if self._row_link is None:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self._PK,),
                current_app=self.model_admin.admin_site.name,
            )
            if self.row_filters:
                context = {"preserved_filters": self.row_filters, "opts": self.opts}
                url = add_preserved_filters(context, url)
            # The stand-in's first place is the path's: the preserved filters after it may hold it too.
            before, _stand_in, after = url.partition(self._PK)
            self._row_link = (before, after)
        before, after = self._row_link
        return f"{before}{quote(getattr(result, self.pk_attname))}{after}"


class TolerantChangeListMixin:
    """Every admin list of the portal uses TolerantChangeList (tests/security/test_url_fuzz.py)."""

    def get_changelist(self, request, **kwargs):
        return TolerantChangeList


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a related record (a fund, a bank account...) that offers only the records the
    user may see: Django's own lists every row of the related table."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.all()
        if not hasattr(related, "visible_to"):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": related.visible_to(request.user).values("pk")},
            ordering=ordering,
        )

    def queryset(self, request, queryset):
        """A choice outside the user's scope (a fund of another province, typed into the address) lists
        nothing, answered without a query of the list: filtered as asked, PostgreSQL walked the whole
        table in the list's order for rows the scope then dropped (3 s at 20,000,000 donations)."""
        chosen = [value for value in self.used_parameters.get(self.lookup_kwarg) or [] if value != ""]
        related = self.field.related_model._default_manager.all()
        if chosen and hasattr(related, "visible_to"):
            try:
                target = self.field.target_field.name
                seen = related.visible_to(request.user).filter(**{f"{target}__in": chosen}).exists()
            except (ValueError, TypeError, ValidationError):
                seen = True  # not an id: Django's own filter says the parameters are wrong
            if not seen:
                return queryset.none()
        return super().queryset(request, queryset)


class ScopedAdminMixin(TolerantChangeListMixin, AuthorityAdminMixin):
    """Admin lists, change pages, foreign-key choices and list filters show only what the user may see;
    actions are offered to those who may do them (`fund_portal.authority`)."""

    #: A list whose plan turns on how many rows the scope holds names the units' ids up to this many
    #: (`ScopedQuerySet.visible_to`'s `ids_up_to`); 0: the path's subquery.
    scope_ids_up_to = 0
    #: With `scope_ids_up_to`: the level of the units named, where the records' unit always has it.
    scope_ids_level: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.scope_ids_up_to:
            return queryset.visible_to(
                request.user, ids_up_to=self.scope_ids_up_to, ids_level=self.scope_ids_level
            )
        return queryset.visible_to(request.user)

    def get_list_filter(self, request):
        """Every list filter named by a related field gets the scoped filter."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation and field.related_model is not None:
                    item = (item, ScopedRelatedFieldListFilter)
            filters.append(item)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Any choice of a scoped record (a unit, a fund, a donor...) lists only what the user may see."""
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "visible_to"):
            kwargs["queryset"] = queryset.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def action_checkbox(self, obj):
        """Django's checkbox of a list row, the same HTML written directly: rendering a CheckboxInput
        through the form templates took a quarter of a 100-row list page."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class ServiceErrorsAdminMixin:
    """A service's refusal raised while the admin saves becomes a message, and nothing is written.

    The change form runs each service's checks while validating, so a refusal normally shows on the
    form. The service checks again under its row lock when it writes: a record decided or changed
    by someone else in between is refused there, after validation, where Django's admin would
    answer 500. `changeform_view` runs in one transaction, so the refused save leaves nothing."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())


def money_display(field: str, description, *, sortable: bool = True):
    """A column or read-only field of whole đồng, shown as 1.250.000 ₫ (and sorted by the field)."""

    @admin.display(description=description, ordering=field if sortable else None)
    def display(model_admin, obj):
        return format_vnd(getattr(obj, field))

    return display


def admin_page(model_admin: admin.ModelAdmin, request, template: str, context: dict) -> TemplateResponse:
    """A page of a model's admin beyond Django's own (an import, a merge to confirm, a report), drawn in
    the admin's frame: the site's header and the model's breadcrumbs."""
    frame = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta}
    return TemplateResponse(request, template, {**frame, **context})


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "is_especially_difficult", "is_ethnic_mountainous"]
    list_filter = ["level", "is_especially_difficult", "is_ethnic_mountainous"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "role", "unit", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role and scope"), {"fields": ("role", "unit", "phone")}),)

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    def save_related(self, request, form, formsets, change):
        """A new role or unit goes through `user_set_role`, which moves the user to the role's group
        (other groups ticked on the form stay) and sets staff access: saved directly, a demoted
        officer kept the old role's permissions. It runs after the form's groups are saved."""
        super().save_related(request, form, formsets, change)
        if {"role", "unit"} & set(form.changed_data):
            user_set_role(user=form.instance, role=form.instance.role, unit=form.instance.unit)


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ScopedLogEntryAdmin(TolerantChangeListMixin, LogEntryAdmin):
    """The audit trail, limited to the records under the user's unit, and holding to the same rules as
    those records: without `children.view_sensitive`, no entry of an incident or a sensitive group,
    restricted values shown as "[restricted]", and a search that never looks into them."""

    def get_queryset(self, request):
        qs = audit_entries_visible(super().get_queryset(request), user=request.user)
        units = visible_units(request.user)
        if units is None:
            return qs
        # The entry's unit id, kept in its JSON, within the units by their path: a subquery, not a list.
        unit_id = Cast(KeyTextTransform("unit_id", "additional_data"), models.BigIntegerField())
        return qs.alias(scope_unit_id=unit_id).filter(scope_unit_id__in=units.values("pk"))

    def get_search_fields(self, request):
        if request.user.has_perm(SENSITIVE_PERMISSION):
            return self.search_fields
        return [field for field in self.search_fields if field != "changes"]

    def get_search_results(self, request, queryset, search_term):
        """Without the permission, the changes are searched only in entries that hold no restricted
        value: a health note's words must not find the child's entry."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip() and not request.user.has_perm(SENSITIVE_PERMISSION):
            redacted = Q(pk__in=[])
            for label, fields in audit_redacted_fields().items():
                app_label, model = label.split(".")
                redacted |= Q(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    changes__has_any_keys=sorted(fields),
                )
            in_changes = queryset.filter(changes__icontains=search_term.strip()).exclude(redacted)
            results = results | in_changes
        return results, may_have_duplicates

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        return super().msg_short(audit_entry_for(obj, user=self.request.user))

    @admin.display(description=_("Changes"))
    def msg(self, obj):
        return super().msg(audit_entry_for(obj, user=self.request.user))

    @admin.display(description=_("Correlation ID"))  # auditlog's own label is not translatable
    def cid_url(self, obj):
        return super().cid_url(obj)


@admin.register(NewsPost)
class NewsPostAdmin(TolerantChangeListMixin, admin.ModelAdmin):
    """News of the fund's public site; saving one refreshes the cached public pages at once."""

    list_display = ["title", "published_at", "is_published", "campaign"]
    list_filter = ["is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["campaign", "unit"]
    date_hierarchy = "published_at"

    @staticmethod
    def _bump(*unit_ids):
        """The pages of the funds that show the post (a post of no unit is the default fund's: all)."""
        from .public_cache import public_cache_bump

        public_cache_bump(unit_ids=None if None in unit_ids else unit_ids)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._bump(obj.unit_id, form.initial.get("unit") if change else obj.unit_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._bump(obj.unit_id)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        from .public_cache import public_cache_bump

        public_cache_bump()
