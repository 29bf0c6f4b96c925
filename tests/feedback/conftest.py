import pytest

from entezam.feedback import classifier


@pytest.fixture(scope="session")
def _model_file(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback-model") / "model.pickle"


@pytest.fixture(autouse=True)
def _feedback_model(settings, _model_file):
    # One trained model for the whole run (the corpus is the same in every test).
    settings.ENTEZAM_FEEDBACK_MODEL_PATH = str(_model_file)
    yield


@pytest.fixture
def fresh_classifier():
    classifier.reset_cache()
    yield
    classifier.reset_cache()
