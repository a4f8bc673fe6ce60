"""The bank feed's webhook: a notification service posts each transaction of the fund's accounts here.

Thin: the request is authenticated and read by `donations.sepay`, the transaction recorded by
`donations.services.bank_feed`. Refused deliveries (4xx) write nothing to the database; they are
logged (logger `donations.bank_feed`) with their reason, for the operator.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..sepay import FeedRefused, sepay_authenticate, sepay_parse
from ..services.bank_feed import feed_delivery_receive

logger = logging.getLogger("donations.bank_feed")
#: Messages as written, not \u-escaped: the sender's delivery log shows them to people.
VIETNAMESE = {"ensure_ascii": False}


@csrf_exempt  # a server-to-server call, authenticated by its key or signature, not a browser's form
@login_not_required
@require_POST
def sepay_webhook(request):
    """One transaction from a SePay-style feed: `{"success": true}` once it is recorded (or was before)."""
    try:
        sepay_authenticate(
            request.headers,
            request.body,
            api_key=settings.BANK_FEED_API_KEY,
            hmac_secret=settings.BANK_FEED_HMAC_SECRET,
            now=timezone.now(),
        )
        delivery = sepay_parse(request.body)
        logged, new = feed_delivery_receive(delivery=delivery, by=None)
    except FeedRefused as refused:
        logger.warning("Bank feed delivery refused (%s): %s", refused.status, refused.message)
        return JsonResponse(
            {"success": False, "message": refused.message},
            status=refused.status,
            json_dumps_params=VIETNAMESE,
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        logger.warning("Bank feed delivery refused (400): %s", message)
        return JsonResponse({"success": False, "message": message}, status=400, json_dumps_params=VIETNAMESE)
    if not new:
        logger.info("Bank feed delivery %s sent again: nothing changed", logged.transaction_id)
    return JsonResponse({"success": True})
