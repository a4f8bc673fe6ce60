from django.conf import settings


def portal(request):
    """FUND_NAME: the name of the fund whose public site the request is on (`request.fund_name`, set by
    `donations.middleware.PublicFundMiddleware`), else the deployment's name (the setting)."""
    return {"FUND_NAME": getattr(request, "fund_name", None) or settings.FUND_NAME}
