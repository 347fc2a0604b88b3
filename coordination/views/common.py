"""Helpers shared by the pages. Access is never decided here: objects come from the
selectors (already scoped to the user), so anything out of scope simply does not exist."""
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from coordination.choices import Marking


def get_scoped_or_404(queryset, **lookup):
    """Fetch from a selector's queryset; out of scope and missing are the same 404."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def staff_only(user) -> None:
    """Writing situations, readings, assignments and proposals is staff work. The
    services refuse it too; checking first lets the page answer before showing a form."""
    if not user.sees_all_situations:
        raise PermissionDenied


def manager_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_manager:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def print_marking(situations) -> dict:
    """A page listing several situations prints the strictest of their markings atop
    every sheet (templates/_print_marking.html); a page of none prints none."""
    strictest = Marking.strictest(s.marking for s in situations)
    return {"page_marking": strictest or "", "page_tlp": Marking.tlp(strictest) if strictest else ""}


def page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1
