"""The feedback classifier: Persian text -> category, confidence and urgency.

A character n-gram TF-IDF over the normalised text (`core.persian.normalize`, digits
folded to one symbol) feeding a logistic regression. Character n-grams survive the
ways citizens write: Arabic yeh and kaf, with or without ZWNJ, joined or split words,
typos. Training is deterministic (fixed seed, lbfgs); the fitted pipeline is kept in
memory per process and on disk (`ENTEZAM_FEEDBACK_MODEL_PATH`, see `conf.py`) with the
digest of the corpus it learnt: a changed corpus retrains it. Operator-confirmed labels
join the training set when `entezam feedback train` or the periodic retraining runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from entezam.core.persian import normalize

from .choices import Category
from .conf import model_path

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"
SEED = 197
_DIGITS = re.compile(r"\d+")

# Words that raise priority in any common spelling (data/urgent_words.txt). Persian words
# match as substrings of the normalised text with its spaces removed (with or without
# ZWNJ, Arabic or Persian letters); English ones as whole words.
URGENT_WORDS_FILE = Path(__file__).resolve().parent / "data" / "urgent_words.txt"


@dataclass(frozen=True)
class Prediction:
    category: str
    confidence: float
    urgent: bool


@dataclass(frozen=True)
class TrainingReport:
    macro_f1: float
    report: str
    examples: int
    folds: int


def model_text(text: str) -> str:
    """The text the model sees: the search key with every number folded to `0`."""
    return _DIGITS.sub("0", normalize(text))


@functools.cache
def urgent_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """(English words, Persian stems) of the urgent-words file."""
    english, persian = set(), []
    for line in URGENT_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = normalize(line.strip()).replace(" ", "")
        if not word or line.startswith("#"):
            continue
        if word.isascii():
            english.add(word)
        else:
            persian.append(word)
    return frozenset(english), tuple(persian)


def is_urgent(text: str) -> bool:
    """True when the text names a weapon, fire, a child, an injury or says "now"."""
    english, persian = urgent_words()
    key = normalize(text)
    joined = key.replace(" ", "")
    if any(stem in joined for stem in persian):
        return True
    return not english.isdisjoint(re.findall(r"[a-z]+", key))


def corpus_examples() -> list[tuple[str, str]]:
    """The shipped corpus: one example per line in data/corpus/<category>.txt."""
    examples: list[tuple[str, str]] = []
    for category in Category.values:
        path = CORPUS_DIR / f"{category}.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text and not text.startswith("#"):
                examples.append((text, category))
    return examples


def _pipeline():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    preprocessor=model_text,
                    sublinear_tf=True,
                    min_df=1,
                    dtype=np.float32,
                ),
            ),
            (
                "model",
                LogisticRegression(C=20.0, solver="lbfgs", max_iter=2000, random_state=SEED),
            ),
        ]
    )


def digest(examples: list[tuple[str, str]]) -> str:
    hasher = hashlib.sha256()
    for text, category in examples:
        hasher.update(json.dumps([text, category], ensure_ascii=False).encode())
    return hasher.hexdigest()[:16]


def fit(examples: list[tuple[str, str]]):
    pipeline = _pipeline()
    pipeline.fit([text for text, _ in examples], [category for _, category in examples])
    return pipeline


def cross_validate(examples: list[tuple[str, str]], folds: int = 5) -> TrainingReport:
    """Stratified k-fold (fixed shuffle seed): macro-F1 and the per-class report."""
    from sklearn.metrics import classification_report, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [text for text, _ in examples]
    labels = [category for _, category in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    predicted = cross_val_predict(_pipeline(), texts, labels, cv=splitter, n_jobs=1)
    return TrainingReport(
        macro_f1=float(f1_score(labels, predicted, average="macro")),
        report=classification_report(labels, predicted, digits=3),
        examples=len(examples),
        folds=folds,
    )


class Classifier:
    """A fitted pipeline, the digest of the corpus it learnt and how many confirmed labels."""

    def __init__(self, pipeline, corpus: str, confirmed: int) -> None:
        self.pipeline = pipeline
        self.corpus = corpus
        self.confirmed = confirmed

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(texts)
        classes = list(self.pipeline.classes_)
        predictions = []
        for text, row in zip(texts, probabilities, strict=True):
            best = int(row.argmax())
            category = classes[best]
            urgent = category == Category.CRIME_REPORT or is_urgent(text)
            predictions.append(Prediction(category, round(float(row[best]), 4), urgent))
        return predictions


_lock = threading.Lock()
_cached: tuple[Classifier, float] | None = None  # the classifier and its file's mtime


def training_examples() -> tuple[list[tuple[str, str]], int]:
    """The corpus plus every operator-confirmed label, and how many of those there are."""
    from .selectors import confirmed_labels

    confirmed = confirmed_labels()
    return corpus_examples() + confirmed, len(confirmed)


def _mtime() -> float:
    try:
        return model_path().stat().st_mtime
    except OSError:
        return 0.0


def train() -> Classifier:
    """Fit on the corpus and the confirmed labels; keep it in memory and on disk."""
    global _cached
    examples, confirmed = training_examples()
    classifier = Classifier(fit(examples), digest(corpus_examples()), confirmed)
    path = model_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(
                {
                    "corpus": classifier.corpus,
                    "confirmed": classifier.confirmed,
                    "pipeline": classifier.pipeline,
                },
                handle,
            )
        temporary.replace(path)
    except OSError:
        pass  # A read-only disk still classifies from memory.
    with _lock:
        _cached = (classifier, _mtime())
    return classifier


def _load(corpus: str) -> Classifier | None:
    try:
        with model_path().open("rb") as handle:
            stored = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(stored, dict) or stored.get("corpus") != corpus:
        return None
    return Classifier(stored["pipeline"], corpus, int(stored.get("confirmed", 0)))


def get_classifier() -> Classifier:
    """The cached classifier: from memory while the file on disk is unchanged, else from
    the file (another process retrained), else trained now. A changed corpus retrains."""
    global _cached
    corpus = digest(corpus_examples_cached())
    mtime = _mtime()
    with _lock:
        if _cached is not None and _cached[0].corpus == corpus and _cached[1] == mtime:
            return _cached[0]
    loaded = _load(corpus)
    if loaded is not None:
        with _lock:
            _cached = (loaded, mtime)
        return loaded
    return train()


_corpus_cache: list[tuple[str, str]] | None = None


def corpus_examples_cached() -> list[tuple[str, str]]:
    global _corpus_cache
    if _corpus_cache is None:
        _corpus_cache = corpus_examples()
    return _corpus_cache


def retrain_if_new_labels() -> str:
    """Periodic: retrain when operators confirmed labels since the model was trained."""
    from .selectors import confirmed_labels_count

    current = get_classifier()
    count = confirmed_labels_count()
    if count == current.confirmed:
        return "unchanged"
    train()
    return f"retrained with {count} confirmed labels"


def classify(text: str) -> Prediction:
    return get_classifier().predict(text)


def reset_cache() -> None:
    global _cached, _corpus_cache
    with _lock:
        _cached = None
        _corpus_cache = None
