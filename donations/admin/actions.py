"""How the donations admin runs an action on the selected rows: a service call per row, each refusal told."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def each_selected(request, items, act, message) -> None:
    """Run a service on each selected record; report how many went through and every refusal."""
    done, errors = 0, []
    for item in items:
        try:
            act(item)
            done += 1
        except ValidationError as error:
            errors += [f"{item}: {m}" for m in error.messages]
    if done:
        messages.success(request, message(done) % {"n": done})
    for error in errors:
        messages.error(request, error)
