"""The routing classifier: which category a petition's text is about.

A linear model (scikit-learn's logistic regression fitted by stochastic gradient descent,
which trains in a tenth of a second) over TF-IDF weights of character 2-4-grams
within words: Korean runs words and endings together, so character n-grams carry the meaning
without a morphological analyser. It learns from the labelled examples of the country pack;
`held_back_accuracy` reports how it does on examples it did not learn from.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from gov3.participation.core.policy import Example


@dataclass(frozen=True)
class Guess:
    """The classifier's category for a text and how sure it is (probability, 0 to 1)."""

    category: str
    confidence: float


class Router:
    """A trained classifier; `guess` one text or `guess_many`."""

    def __init__(self, examples: Sequence[Example]) -> None:
        if len({e.category for e in examples}) < 2:
            raise ValueError("the classifier needs examples of at least two categories")
        # scikit-learn (with SciPy) takes about a second to import: loaded when a router is
        # trained, not by every process that imports the participation app's URLs
        from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]  # noqa: PLC0415
            TfidfVectorizer,
        )
        from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]  # noqa: PLC0415
        from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]  # noqa: PLC0415

        self.pipeline = Pipeline(
            [
                (
                    "tfidf",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
                ),
                ("model", SGDClassifier(loss="log_loss", alpha=1e-5, random_state=0)),
            ]
        )
        self.pipeline.fit([e.text for e in examples], [e.category for e in examples])

    def guess_many(self, texts: Sequence[str]) -> list[Guess]:
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(list(texts))
        classes = self.pipeline.classes_
        best = probabilities.argmax(axis=1)
        return [
            Guess(str(classes[i]), float(row[i]))
            for i, row in zip(best, probabilities, strict=True)
        ]

    def guess(self, text: str) -> Guess:
        return self.guess_many([text])[0]


def split(
    examples: Sequence[Example], held_back: float = 0.2, seed: int = 1
) -> tuple[list[Example], list[Example]]:
    """Examples to learn from and examples held back, the same share of each category."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    learn: list[Example] = []
    test: list[Example] = []
    for category in sorted({e.category for e in examples}):
        mine = [e for e in examples if e.category == category]
        rng.shuffle(mine)
        cut = max(1, round(len(mine) * held_back))
        test += mine[:cut]
        learn += mine[cut:]
    return learn, test


def held_back_accuracy(examples: Sequence[Example], held_back: float = 0.2, seed: int = 1) -> float:
    """The share of held-back examples the classifier, trained on the rest, gets right."""
    learn, test = split(examples, held_back, seed)
    router = Router(learn)
    guesses = router.guess_many([e.text for e in test])
    right = sum(g.category == e.category for g, e in zip(guesses, test, strict=True))
    return right / len(test)
