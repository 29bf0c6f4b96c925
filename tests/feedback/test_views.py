import pytest
from django.urls import reverse

from entezam.feedback.choices import Category, Status
from entezam.feedback.models import Feedback
from entezam.feedback.services import feedback_resolve, feedback_triage

from .helpers import submit

pytestmark = pytest.mark.django_db


def _post(client, **data):
    form = {
        "text": "از نگهبان شعبه بانک ملت بابت برخورد محترمانه‌اش تشکر می‌کنم",
        "name": "",
        "contact": "",
        "place": "",
        "website": "",
    }
    form.update(data)
    return client.post(reverse("feedback:submit"), form)


def test_public_form_needs_no_sign_in_and_returns_a_tracking_code(client, world):
    assert client.get(reverse("feedback:submit")).status_code == 200
    response = _post(client, contact="09121234567", name="علی")
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.tracking_code in response.content.decode()
    assert feedback.contact == "09121234567"


def test_honeypot_keeps_nothing(client, world):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_rate_limit_per_address(client, world, settings):
    settings.ENTEZAM_FEEDBACK_SUBMISSIONS_PER_HOUR = 2
    texts = [
        "سلام، ساعت کاری دفتر نظارت چه زمانی است؟",
        "پیشنهاد می‌کنم برای نگهبانان دوره آموزش برگزار شود",
        "نگهبان پاساژ با من بد رفتاری کرد",
    ]
    codes = [_post(client, text=text).status_code for text in texts]
    assert codes == [200, 200, 429]
    assert Feedback.objects.count() == 2
    # Another address is not limited by the first one's count.
    response = client.post(
        reverse("feedback:submit"),
        {"text": texts[2], "website": ""},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 200


def test_length_limits_and_bad_contact_are_clear_errors(client, world):
    response = _post(client, text="x" * 4001)
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    response = _post(client, contact="abc")
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_status_page_shows_no_private_data(client, world):
    feedback = submit(
        text="نگهبان پاساژ با من خیلی بد رفتار کرد و توهین کرد",
        name="زهرا کاظمی",
        contact="09351112233",
        subject_institution=world.inst_a,
    )
    feedback = feedback_triage(actor=world.operator, feedback=feedback, category=Category.COMPLAINT)
    feedback_resolve(actor=world.manager, feedback=feedback, reply="با نگهبان برخورد انضباطی شد")
    response = client.get(reverse("feedback:status", args=[feedback.tracking_code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "با نگهبان برخورد انضباطی شد" in page
    for private in ("زهرا", "09351112233", "۰۹۳۵۱۱۱۲۲۳۳", world.inst_a.name, world.station_a.name):
        assert private not in page


def test_unknown_or_malformed_tracking_code_is_404(client, world):
    assert client.get(reverse("feedback:status", args=["AAAAAAAA"])).status_code == 404
    assert client.get(reverse("feedback:status", args=["not-a-code"])).status_code == 404


def test_citizen_confirms_on_the_status_page(client, world):
    feedback = submit(subject_institution=world.inst_a)
    feedback = feedback_triage(actor=world.operator, feedback=feedback, category=Category.COMPLAINT)
    feedback_resolve(actor=world.manager, feedback=feedback, reply="رسیدگی شد")
    url = reverse("feedback:status", args=[feedback.tracking_code])
    assert client.post(url, {"answer": "confirm"}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Status.CLOSED


def test_suggest_endpoint_for_operators_only(client, world):
    client.force_login(world.operator)
    response = client.post(reverse("feedback:suggest"), {"text": "یه نفر با چاقو جلوی بانکه"})
    assert response.json()["category"] == "crime_report"
    assert response.json()["urgent"] is True
    client.force_login(world.manager)
    assert client.post(reverse("feedback:suggest"), {"text": "سلام"}).status_code == 403


def test_operator_console_saves_a_call(client, world):
    client.force_login(world.operator)
    assert client.get(reverse("feedback:console")).status_code == 200
    response = client.post(
        reverse("feedback:console"),
        {
            "contact": "۰۹۱۲۷۷۷۸۸۹۹",
            "text": "تماس گیرنده از نگهبان موسسه امین تشکر می‌کند",
            "category": "appreciation",
            "subject_institution": world.inst_a.registration_number,
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.channel == "phone"
    assert feedback.category_confirmed_at is not None
    assert feedback.status == Status.ASSIGNED
    response = client.post(
        reverse("feedback:console"), {"text": "تماس درباره موسسه", "subject_institution": "999999"}
    )
    assert response.status_code == 400


def test_detail_page_contact_and_foreign_scope(client, world):
    from tests.accounts.factories import user_with_role

    feedback = submit(contact="09123334455", subject_institution=world.inst_a)
    feedback = feedback_triage(actor=world.operator, feedback=feedback, category=Category.COMPLAINT)
    url = reverse("feedback:detail", args=[feedback.pk])
    client.force_login(world.manager)
    assert "09123334455" in client.get(url).content.decode().translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    client.force_login(world.hq_analyst)
    page = client.get(url).content.decode().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert "09123334455" not in page
    client.force_login(user_with_role("institution_manager", world.inst_b, username="other"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "resolve", "reply": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["queue", "statistics", "export"])
def test_staff_pages_render(client, world, name):
    submit(subject_institution=world.inst_a)
    for user in (world.hq_admin, world.operator, world.manager, world.station_officer):
        client.force_login(user)
        assert client.get(reverse(f"feedback:{name}")).status_code == 200
    client.force_login(world.trainer)
    assert client.get(reverse(f"feedback:{name}")).status_code == 403


def test_hq_edits_the_routing_table(client, world):
    from entezam.feedback.models import RoutingRule

    client.force_login(world.hq_admin)
    response = client.post(
        reverse("feedback:rule_add"),
        {
            "category": "complaint",
            "subject_kind": "institution",
            "priority": "",
            "to_province": "on",
            "due_working_days": "3",
            "order": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert rule.levels == ["province"]
    assert client.get(reverse("feedback:rules")).status_code == 200
    response = client.post(
        reverse("feedback:rule_edit", args=[rule.pk]),
        {
            "category": "complaint",
            "subject_kind": "institution",
            "due_working_days": "3",
            "order": "1",
        },
    )
    assert response.status_code == 200  # no level chosen: refused
    client.force_login(world.operator)
    assert client.get(reverse("feedback:rules")).status_code == 200
    assert client.get(reverse("feedback:rule_add")).status_code == 403


def test_praise_shows_on_the_institution_page(client, world):
    feedback = submit(
        text="از نگهبان موسسه بابت برخورد بسیار محترمانه سپاسگزارم",
        subject_institution=world.inst_a,
    )
    feedback_triage(actor=world.operator, feedback=feedback, category=Category.APPRECIATION)
    client.force_login(world.manager)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert 'data-testid="recognition"' in page
    assert "برخورد بسیار محترمانه" in page
    client.force_login(world.hq_admin)
    other = client.get(world.inst_b.get_absolute_url()).content.decode()
    assert 'data-testid="recognition"' not in other


def test_queue_and_statistics_queries_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        result = []
        for user, url in (
            (world.operator, reverse("feedback:queue") + "?queue=triage"),
            (world.manager, reverse("feedback:queue") + "?queue=handling"),
            (world.hq_admin, reverse("feedback:statistics")),
        ):
            client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    def grow(n):
        for i in range(n):
            submit(text=f"پیام شماره {i} درباره ساعت کاری دفتر نظارت", province=world.province_a)
            feedback = submit(
                text=f"شکایت {i}: نگهبان شعبه {i} با مراجعان بد رفتار کرد",
                subject_institution=world.inst_a,
            )
            feedback_triage(actor=world.operator, feedback=feedback, category=Category.COMPLAINT)

    grow(2)
    before = counts()
    grow(28)
    after = counts()
    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after)
