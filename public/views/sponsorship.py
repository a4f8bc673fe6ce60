"""What the public side shows of a child: only the sponsor's anonymised progress page, by its key."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from children.selectors import support


@login_not_required
@never_cache
def sponsorship_progress(request, token):
    """The sponsor's page (link given to the sponsor): initial, age, commune, deliveries; no name,
    no address, no ID, no sensitive group; the photo and story only with the guardian's consent."""
    progress = support.sponsorship_progress(token=token)
    if progress is None:
        raise Http404
    response = render(request, "children/sponsorship_progress.html", progress)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
def sponsorship_photo(request, token):
    progress = support.sponsorship_progress(token=token)
    if progress is None or not progress["photo"]:
        raise Http404
    return FileResponse(progress["photo"].open("rb"))
