"""Refit the learned matcher from curators' decisions and store it as a new version."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.learning import refit_matcher
from sources.matching.learned import NotEnoughDecisions


def precision(value):
    number = float(value)
    if not 0 < number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = ("Fit the matcher's logistic regression from the shipped development examples and every "
            "approved, rejected or reassigned link; print its cross-validated precision and recall and "
            "store it as a new active version (roll back in the admin: Matcher model versions).")

    def add_arguments(self, parser):
        parser.add_argument("--target-precision", type=precision, default=None,
                            help="precision the attach threshold is chosen for (default: MATCH_TARGET_PRECISION)")

    def handle(self, target_precision=None, **options):
        target = target_precision or settings.MATCH_TARGET_PRECISION
        try:
            version, result = refit_matcher(target)
        except NotEnoughDecisions as error:
            raise CommandError(str(error)) from None
        model = result.model
        self.stdout.write(f"fitted from {result.examples} labelled candidates ({version.curator_decisions} from "
                          f"curators' decisions), {result.positives} right, {result.folds}-fold cross-validation")
        self.stdout.write(f"cross-validated precision {result.cv_precision} recall {result.cv_recall} "
                          f"review recall {result.cv_review_recall} (target precision {target})")
        self.stdout.write(f"thresholds: attach {model.attach_threshold}, propose {model.propose_threshold}")
        for name, weight in model.describe():
            self.stdout.write(f"  {name:15s} {weight:+.3f}")
        self.stdout.write(f"stored as matcher v{version.pk}, now active")
