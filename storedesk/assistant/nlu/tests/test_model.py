"""The intent model: training, calibrated confidence, `other` under the threshold, storage."""

from __future__ import annotations

import numpy as np
import pytest

from storedesk.assistant.nlu import IntentModel, evaluate, train

from .samples import texts_and_labels


@pytest.fixture(scope="module")
def model() -> IntentModel:
    texts, labels = texts_and_labels()
    return train(texts, labels, oos_label="other")


@pytest.mark.parametrize(("text", "intent"), [
    ("where's my package??", "order_status"),
    ("pls cancel the order I just placed", "cancel_order"),
    ("these jeans are too small, how can I return them", "return_request"),
    ("does the shop accept paypal", "payment"),
    ("hello!", "smalltalk"),
])
def test_it_recognises_unseen_phrasings(model: IntentModel, text: str, intent: str) -> None:
    predicted, confidence, ranking = model.predict(text)
    assert predicted == intent
    assert 0.0 < confidence <= 1.0
    assert ranking[0][0] == intent
    assert len(ranking) == 3
    assert ranking[0][1] >= ranking[1][1] >= ranking[2][1]


def test_probabilities_are_a_distribution(model: IntentModel) -> None:
    probs = model.probabilities(["where is my order", "zzz qqq"])
    assert probs.shape == (2, len(model.classes))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_low_confidence_is_other(model: IntentModel) -> None:
    # a threshold was fitted on held-out folds because the examples have an `other` label
    assert 0.0 < model.threshold < 1.0
    strict = IntentModel.loads(model.dumps())
    strict.threshold = 0.75  # what a store that prefers handing off would set
    texts = ["where is my order", "purple elephants dance on tuesdays", "cancel",
             "my order is late and I want to pay with paypal", "can I pay"]
    below = 0
    for text, probs in zip(texts, strict.probabilities(texts), strict=True):
        intent, confidence, ranking = strict.predict(text)
        if probs.max() < strict.threshold:
            below += 1
            assert intent == "other", (text, ranking)
            assert confidence == pytest.approx(
                max(1 - probs.max(), probs[strict.classes.index("other")]), abs=1e-6)
        else:
            assert intent == strict.classes[int(probs.argmax())], (text, ranking)
    assert below >= 1  # the mixed-up and the unrelated messages are under it
    # gibberish without one known word is out of scope unless the model is very sure
    assert model.predict("kdjfh skdjf")[0] == "other"


def test_without_an_out_of_scope_label_nothing_is_rejected() -> None:
    texts, labels = texts_and_labels(exclude_oos=True)
    model = train(texts, labels, oos_label="other")
    assert model.oos_label is None
    assert model.threshold == 0.0
    assert model.predict("xq zvw plk")[0] in set(labels)


def test_dumps_and_loads_give_the_same_predictions(model: IntentModel) -> None:
    data = model.dumps()
    assert isinstance(data, bytes)
    assert b"pickle" not in data[:200]
    loaded = IntentModel.loads(data)
    assert loaded.classes == model.classes
    assert loaded.threshold == model.threshold
    for text in ["where is my order 1001", "I want to cancel", "bonjour", "xq zvw plk"]:
        a, b = model.predict(text), loaded.predict(text)
        assert a[0] == b[0]
        assert a[1] == pytest.approx(b[1], abs=1e-6)


def test_loads_refuses_what_is_not_a_model() -> None:
    with pytest.raises(ValueError):
        IntentModel.loads(b"not a model")
    with pytest.raises(ValueError):
        IntentModel.loads(b"")


def test_the_per_message_path_equals_the_batch_path(model: IntentModel) -> None:
    texts = ["Where is my order #1001?", "ZAMÓWIENIE nie doszło!!!", "พัสดุยังไม่มา", ""]
    batch = model.probabilities(texts)
    for text, row in zip(texts, batch, strict=True):
        single = model.predict(text)
        assert single[2][0][0] == model.classes[int(row.argmax())]


def test_evaluate_reports_scores_and_out_of_scope_figures(model: IntentModel) -> None:
    texts = ["where is my parcel", "cancel my order", "tell me about the moon", "hi"]
    labels = ["order_status", "cancel_order", "other", "smalltalk"]
    result = evaluate(model, texts, labels)
    assert result["n"] == 4
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == 1.0
    assert result["in_scope_accuracy"] == 1.0
    assert result["oos_recall"] == 1.0
    assert result["p99_ms"] >= result["p50_ms"] > 0
    assert set(result["per_label"]) == set(labels)


def test_training_needs_examples() -> None:
    with pytest.raises(ValueError):
        train([], [])
    with pytest.raises(ValueError):
        train(["a"], ["x", "y"])



def test_the_calibration_map_comes_from_held_out_guesses_and_never_goes_down() -> None:
    from storedesk.assistant.nlu.model import _fit_calibration

    # given held-out guesses: at 0.6 right half the time, at 0.95 right 90 % of the time
    probs = np.array([[0.6, 0.4]] * 100 + [[0.95, 0.05]] * 100)
    y = np.array([0, 1] * 50 + ([0] * 9 + [1]) * 10)
    fitted = _fit_calibration(probs, y)
    assert fitted is not None
    xs, ys = fitted
    # then 0.6 means one half, 0.95 means 0.9, and in between the map rises
    assert float(np.interp(0.6, xs, ys)) == pytest.approx(0.5)
    assert float(np.interp(0.95, xs, ys)) == pytest.approx(0.9)
    assert ys == sorted(ys)
    # too few held-out guesses for two bins: no map, the softmax probability is reported as is
    assert _fit_calibration(probs[:60], y[:60]) is None


def test_confidence_is_the_calibrated_probability_and_survives_storage(
        model: IntentModel) -> None:
    intent, confidence, ranking = model.predict("where's my package??")
    assert intent == "order_status"
    assert confidence == pytest.approx(model.calibrated(ranking[0][1]), abs=1e-4)
    if model.calibration is None:
        model = IntentModel.loads(model.dumps())
        model.calibration = ((0.2, 0.9), (0.1, 0.6))
        assert model.predict("where's my package??")[1] == pytest.approx(
            float(np.interp(ranking[0][1], (0.2, 0.9), (0.1, 0.6))), abs=1e-4)
    again = IntentModel.loads(model.dumps())
    assert again.calibration == model.calibration
    assert again.predict("where's my package??")[1] == pytest.approx(
        model.predict("where's my package??")[1], abs=1e-6)
