"""The notifications app sits right above accounts: any domain app may import it."""

from tests.core.test_architecture import app_imports


def test_notifications_imports_only_core_and_accounts():
    assert app_imports()["notifications"] <= {"core", "accounts"}


def test_core_and_accounts_do_not_import_notifications():
    imports = app_imports()
    assert "notifications" not in imports["core"] | imports["accounts"]
