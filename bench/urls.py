"""The portal's URLs plus `/bench/bare/`: a view returning a fixed string through the whole middleware
stack. Loaded only by `bench.settings` (`make bench`), so production has no such URL."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


@login_not_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
