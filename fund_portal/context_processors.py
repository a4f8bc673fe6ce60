from django.conf import settings


def portal(request):
    return {"FUND_NAME": settings.FUND_NAME}
