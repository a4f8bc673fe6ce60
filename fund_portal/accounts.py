"""allauth adapter: an account made by signing up on the public site is a donor account."""

from allauth.account.adapter import DefaultAccountAdapter

from .models import Role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.DONOR
        if commit:
            user.save()
        return user
