"""`{% load notifications %}`: the navbar bell and the follow button of any record.

{% notification_bell %}        the bell with the unread count (one COUNT on an index);
                               its menu is fetched when it is clicked open
{% follow_button object %}     "Follow" / "Unfollow" for a record the user may see
"""

from django import template

from entezam.core.persian.text import active_language, localize_digits

from ..selectors import BELL_CAP, can_follow, is_following, unread_count

register = template.Library()


@register.inclusion_tag("notifications/bell_button.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    count = unread_count(user)
    shown = f"{BELL_CAP}+" if count > BELL_CAP else str(count)
    return {"unread": count, "unread_shown": localize_digits(shown, active_language())}


def follow_context(request, obj, back: str) -> dict:
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated or not can_follow(user, obj):
        return {"show": False}
    return {
        "show": True,
        "following": is_following(user, obj),
        "model": obj._meta.label_lower,
        "pk": obj.pk,
        "next": back,
    }


@register.inclusion_tag("notifications/follow_button.html", takes_context=True)
def follow_button(context, obj):
    request = context.get("request")
    if request is None:
        return {"show": False}
    return follow_context(request, obj, request.get_full_path())
