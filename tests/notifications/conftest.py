import pytest

from entezam.notifications import sms

from . import fakes


@pytest.fixture(autouse=True)
def _sms_backends(settings, tmp_path):
    """Each test starts with the recording SMS backend, an empty spool, locmem e-mail."""
    settings.ENTEZAM_SMS_BACKEND = "tests.notifications.fakes.RecordingSmsBackend"
    settings.ENTEZAM_SMS_SPOOL_DIR = str(tmp_path / "spool")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ENTEZAM_NOTIFY_EMAIL_FROM = "entezam@police.example"
    settings.ENTEZAM_SITE_URL = "https://entezam.example"
    fakes.SENT.clear()
    fakes.RecordingSmsBackend.fail_times = 0
    fakes.RecordingSmsBackend.permanent = False
    sms._backend_class.cache_clear()
    yield
    sms._backend_class.cache_clear()


@pytest.fixture
def reachable(world):
    """The manager and the station officer have an e-mail address and a mobile number."""
    for user, mobile in ((world.manager, "09121234567"), (world.station_officer, "09351112233")):
        user.email = f"{user.username}@example.ir"
        user.mobile = mobile
        user.save(update_fields=["email", "mobile"])
    return world
