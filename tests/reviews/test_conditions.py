"""A2I's activation-condition language: parsing errors name the place; evaluation."""

import json

import pytest

from apps.reviews.conditions import InvalidConditions, conditions_evaluate, conditions_parse


def moderation(name="Violence", **bounds):
    return {
        "ConditionType": "ModerationLabelConfidenceCheck",
        "ConditionParameters": {"ModerationLabelName": name, **bounds},
    }


def sampling(percentage):
    return {
        "ConditionType": "Sampling",
        "ConditionParameters": {"RandomSamplingPercentage": percentage},
    }


def text(*conditions):
    return json.dumps({"Conditions": list(conditions)})


def evaluate(conditions, response, seed="seed"):
    return conditions_evaluate(
        conditions_parse(conditions), input_content={"aiServiceResponse": response}, seed=seed
    )


REKOGNITION = {"ModerationLabels": [{"Name": "Violence", "Confidence": 55.0}]}


@pytest.mark.parametrize(
    ("conditions", "problem"),
    [
        (
            "{not json",
            "Not JSON: Expecting property name enclosed in double quotes (line 1, column 2).",
        ),
        ('{"Rules": []}', 'The top level must be {"Conditions": [...]}.'),
        ('{"Conditions": []}', "Conditions must be a non-empty list."),
        (
            text({"ConditionType": "Guess", "ConditionParameters": {}}),
            "Conditions[0]: unknown ConditionType 'Guess'; expected one of: "
            "ImportantFormKeyConfidenceCheck, MissingImportantFormKey, "
            "ModerationLabelConfidenceCheck, Sampling.",
        ),
        (
            text(moderation(ConfidenceBelow=3)),
            "Conditions[0]: unknown parameters for ModerationLabelConfidenceCheck: "
            "ConfidenceBelow.",
        ),
        (text(sampling(101)), "Conditions[0].RandomSamplingPercentage must be between 0 and 100."),
        (
            text({"And": [sampling(5)]}),
            "Conditions[0].And needs a list of at least two conditions.",
        ),
        (
            text({"Or": [{"And": [{"Or": [sampling(1), sampling(2)]}, sampling(3)]}, sampling(4)]}),
            "Conditions[0].Or[0].And[0]: And/Or nest at most 2 levels deep.",
        ),
        ("x" * 10_241, "At most 10240 characters."),
    ],
)
def test_malformed_conditions_are_refused_naming_where(conditions, problem):
    with pytest.raises(InvalidConditions) as refused:
        conditions_parse(conditions)

    assert refused.value.details == {"activation_conditions": [problem]}


def test_no_conditions_means_the_client_decides():
    assert conditions_parse("") is None
    assert conditions_parse(None) is None


def test_two_levels_of_nesting_are_allowed():
    nested = text({"Or": [{"And": [sampling(1), sampling(2)]}, sampling(4)]})

    assert conditions_parse(nested)["Conditions"][0]["Or"][1] == sampling(4)


def test_a_moderation_label_below_the_threshold_activates_with_results():
    evaluation = evaluate(text(moderation(ConfidenceLessThan=90)), REKOGNITION)

    assert evaluation.activated is True
    assert evaluation.results == {
        "Conditions": [{**moderation(ConfidenceLessThan=90), "EvaluationResult": True}]
    }


def test_a_confident_prediction_does_not_activate():
    evaluation = evaluate(text(moderation(ConfidenceLessThan=50)), REKOGNITION)

    assert evaluation.activated is False


def test_and_needs_every_member_or_needs_one():
    low = moderation(ConfidenceLessThan=90)
    high = moderation(ConfidenceGreaterThan=60)
    wildcard = moderation("*", ConfidenceGreaterThanEquals=55)

    assert evaluate(text({"And": [low, high]}), REKOGNITION).activated is False
    assert evaluate(text({"Or": [low, high]}), REKOGNITION).activated is True
    assert evaluate(text({"And": [low, wildcard]}), REKOGNITION).activated is True


def test_sampling_is_stable_per_input():
    always, never = text(sampling(100)), text(sampling(0))
    half = text(sampling(50))

    assert evaluate(always, {}).activated is True
    assert evaluate(never, {}).activated is False
    decisions = {seed: evaluate(half, {}, seed=seed).activated for seed in map(str, range(200))}
    assert decisions == {seed: evaluate(half, {}, seed=seed).activated for seed in decisions}
    assert 70 <= sum(decisions.values()) <= 130


TEXTRACT = {
    "Blocks": [
        {
            "Id": "k1",
            "BlockType": "KEY_VALUE_SET",
            "EntityTypes": ["KEY"],
            "Confidence": 62.0,
            "Relationships": [{"Type": "CHILD", "Ids": ["w1", "w2"]}],
        },
        {"Id": "w1", "BlockType": "WORD", "Text": "Mail", "Confidence": 99.0},
        {"Id": "w2", "BlockType": "WORD", "Text": "address:", "Confidence": 71.0},
    ]
}


def form_key(key, **parameters):
    return {
        "ConditionType": "ImportantFormKeyConfidenceCheck",
        "ConditionParameters": {"ImportantFormKey": key, **parameters},
    }


def test_textract_form_key_confidence_and_missing_keys():
    low_key = form_key("Mail Address", KeyValueBlockConfidenceLessThan=80)
    low_words = form_key("*", WordBlockConfidenceLessThan=70)
    missing = {
        "ConditionType": "MissingImportantFormKey",
        "ConditionParameters": {"ImportantFormKey": "Date", "ImportantFormKeyAliases": ["Day"]},
    }

    assert evaluate(text(low_key), TEXTRACT).activated is True
    assert evaluate(text(low_words), TEXTRACT).activated is False
    assert evaluate(text(missing), TEXTRACT).activated is True
