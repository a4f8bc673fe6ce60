"""Strings of django-allauth, Django 6.1 and django-auditlog that their releases do not translate into
Vietnamese.

They are listed here only so `makemessages` keeps them in `locale/vi`: Django looks a message up in
the project's catalogue before the package's, so the login and two-factor pages and the admin read
in Vietnamese.
Nothing imports this module.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

VENDOR_STRINGS = (
    gettext_noop("Sign In"),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    pgettext_lazy("field label", "Login"),
    gettext_noop("Password"),
    gettext_noop("Forgot your password?"),
    gettext_noop("Remember Me"),
    gettext_noop("Two-Factor Authentication"),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an authenticator code:"
    ),
    gettext_noop("Code"),
    gettext_noop("Cancel"),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("The username and/or password you specified are not correct."),
    # Django 6.1 (the admin's facet counts, actions and the empty choice of a select)
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Run"),
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),  # the admin's date hierarchy
    # django-auditlog
    gettext_noop("Audit log"),
)
