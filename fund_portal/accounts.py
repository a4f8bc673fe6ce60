"""allauth adapter: an account made by signing up on the public site is a donor account, and the
account mails speak in the fund's name."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from .models import Role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.DONOR
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth names the site by its host ("Xin chào từ portal.example.vn!"): the fund's name
        instead, with the host kept for the mail's last line."""
        domain = get_current_site(self.request).domain
        context = {**context, "current_site": SimpleNamespace(name=settings.FUND_NAME, domain=domain)}
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.FUND_NAME}] {subject}"
