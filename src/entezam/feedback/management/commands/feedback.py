import json
import sys
import time

from django.core.management.base import BaseCommand

from entezam.feedback import classifier


class Command(BaseCommand):
    help = (
        "Citizen feedback: `train` cross-validates the classifier on the corpus plus the "
        "operator-confirmed labels, prints macro-F1 and a per-class report, and stores the "
        "model; `classify` reads one text per stdin line and prints one JSON object per line."
    )

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["train", "classify"])
        parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")

    def handle(self, *args, operation: str, folds: int, **options):
        if operation == "train":
            self._train(folds)
        else:
            self._classify()

    def _train(self, folds: int) -> None:
        examples, confirmed = classifier.training_examples()
        started = time.perf_counter()
        report = classifier.cross_validate(examples, folds=max(2, folds))
        cv_seconds = time.perf_counter() - started
        started = time.perf_counter()
        classifier.train()
        train_seconds = time.perf_counter() - started
        self.stdout.write(
            f"examples: {report.examples} (corpus {report.examples - confirmed}, "
            f"confirmed by operators {confirmed})"
        )
        self.stdout.write(f"cross-validated macro-F1 ({report.folds} folds): {report.macro_f1:.3f}")
        self.stdout.write(report.report)
        self.stdout.write(
            f"cross-validation {cv_seconds:.1f}s, training {train_seconds:.1f}s, "
            f"model {classifier.model_path()}"
        )

    def _classify(self) -> None:
        model = classifier.get_classifier()
        for line in sys.stdin:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            prediction = model.predict(text)
            self.stdout.write(
                json.dumps(
                    {
                        "category": prediction.category,
                        "confidence": prediction.confidence,
                        "urgent": prediction.urgent,
                    },
                    ensure_ascii=False,
                )
            )
