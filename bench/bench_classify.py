"""Feedback classifier benchmark: texts per second on one core, training time, model size.

    .venv/bin/python bench/bench_classify.py                # 20,000 texts
    .venv/bin/python bench/bench_classify.py --texts 2000   # smoke

Needs no database: it trains on the shipped corpus only (as `entezam feedback train` does
before operators confirm labels), pins BLAS and joblib to one thread, classifies texts
drawn from the corpus (in batches, as the classify command reads stdin, and one at a time,
as the console's suggestion does) and prints the figures. Target (issue 13): >= 2,000
texts per second on one core. Never fails (exit status 0).
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import sys
import time
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from entezam.feedback import classifier

    examples = classifier.corpus_examples()
    started = time.perf_counter()
    pipeline = classifier.fit(examples)
    training = time.perf_counter() - started
    model = classifier.Classifier(pipeline, classifier.digest(examples), 0)
    size = len(pickle.dumps(pipeline))

    rng = random.Random(197)
    texts = [rng.choice(examples)[0] for _ in range(args.texts)]
    started = time.perf_counter()
    for offset in range(0, len(texts), args.batch):
        model.predict_many(texts[offset : offset + args.batch])
    batched = time.perf_counter() - started
    single_count = min(len(texts), 2000)
    started = time.perf_counter()
    for text in texts[:single_count]:
        model.predict(text)
    single = time.perf_counter() - started
    # Reference in the same run: the normalisation every text goes through anyway (the
    # floor of any classifier over normalised text).
    from entezam.core.persian import normalize

    started = time.perf_counter()
    for text in texts:
        normalize(text)
    floor = time.perf_counter() - started

    print(f"corpus examples        {len(examples):>10}")
    print(f"training time (s)      {training:>10.2f}")
    print(f"model size (KiB)       {size / 1024:>10.0f}")
    print(f"texts/s, batches of {args.batch:<4}{len(texts) / batched:>8.0f}   (target >= 2000)")
    print(f"texts/s, one at a time {single_count / single:>10.0f}")
    print(f"texts/s, normalise only{len(texts) / floor:>10.0f}   (reference, same run)")
    print(f"ratio batched classify / normalise only: {batched / floor:.1f}×")


if __name__ == "__main__":
    main()
