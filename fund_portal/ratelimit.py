"""A budget of requests per client IP address and period, counted in the cache.

The login's budget is allauth's own (`ACCOUNT_RATE_LIMITS`); this one guards the public forms that
anyone may post without an account, such as `/donate/`. The client's address is the one allauth
uses (`ALLAUTH_TRUSTED_PROXY_COUNT` says how many proxies of ours add to `X-Forwarded-For`), so
both limits agree on who a client is. A fixed window is enough here: the point is that one
address cannot create thousands of pending donations, not an exact rate.

While Redis is down the cache counts in each process's memory (fund_portal.cache), and so does allauth's
login limit: neither limit opens (a count that is never kept would never reach its limit) nor closes (a
closed donation form loses donations, a closed login keeps out the staff who must act during the outage).
A client then gets the budget once per web worker process, a few times the limit, still bounded.
"""

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache


def rate_limit_hit(request, *, scope: str, limit: int, period: int) -> bool:
    """Count one request of this client for `scope`; False once more than `limit` came in `period` seconds.

    A limit of 0 or less switches the budget off.
    """
    if limit <= 0 or period <= 0:
        return True
    client = get_adapter(request).get_client_ip(request)
    key = f"ratelimit:{scope}:{client}:{int(time.time() // period)}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count <= limit
