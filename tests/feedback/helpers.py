from entezam.feedback.choices import Channel
from entezam.feedback.services import feedback_submit


def submit(text="نگهبان شعبه بانک با من خیلی بد رفتار کرد و توهین کرد", **kwargs):
    kwargs.setdefault("channel", Channel.WEB)
    return feedback_submit(text=text, **kwargs)


def active_targets(feedback):
    return sorted(
        (a.level, a.institution_id or a.police_unit_id or a.province_id)
        for a in feedback.assignments.filter(is_active=True)
    )
