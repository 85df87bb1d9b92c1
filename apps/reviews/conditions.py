"""A2I's human-loop activation conditions: parse (with clear errors) and evaluate.

The conditions arrive as JSON inside a string (`HumanLoopActivationConditions`, at most
10,240 characters): `{"Conditions": [...]}`, each member a simple condition
`{"ConditionType": ..., "ConditionParameters": {...}}` or `{"And": [...]}` / `{"Or": [...]}`
with at least two members, nested at most two levels (DG: a2i-human-fallback-conditions-
json-schema). A loop is created when any top-level condition holds.

They are evaluated against the model's output (the AI service response), which a client
posts inside the loop's input as `aiServiceResponse` (A2I's built-in layout) or as the
input itself:
- ModerationLabelConfidenceCheck (Rekognition): `ModerationLabels[].Name/Confidence`;
- ImportantFormKeyConfidenceCheck / MissingImportantFormKey (Textract): the KEY_VALUE_SET
  and WORD `Blocks`;
- Sampling: `RandomSamplingPercentage`, decided from a hash of the input, so the same input
  always gets the same answer (as A2I documents).
"""

import hashlib
import json
from dataclasses import dataclass

from apps.core.errors import DomainError

CONDITIONS_MAX_CHARS = 10_240
MAX_NESTING = 2  # And/Or inside And/Or, no deeper
COMPARISONS = {
    "Equals": lambda value, bound: value == bound,
    "LessThan": lambda value, bound: value < bound,
    "LessThanEquals": lambda value, bound: value <= bound,
    "GreaterThan": lambda value, bound: value > bound,
    "GreaterThanEquals": lambda value, bound: value >= bound,
}
CONDITION_PARAMETERS = {
    "ModerationLabelConfidenceCheck": {"ModerationLabelName"}
    | {f"Confidence{name}" for name in COMPARISONS},
    "ImportantFormKeyConfidenceCheck": {"ImportantFormKey", "ImportantFormKeyAliases"}
    | {f"KeyValueBlockConfidence{name}" for name in COMPARISONS}
    | {f"WordBlockConfidence{name}" for name in COMPARISONS},
    "MissingImportantFormKey": {"ImportantFormKey", "ImportantFormKeyAliases"},
    "Sampling": {"RandomSamplingPercentage"},
}
REQUIRED_PARAMETERS = {
    "ModerationLabelConfidenceCheck": {"ModerationLabelName"},
    "ImportantFormKeyConfidenceCheck": {"ImportantFormKey"},
    "MissingImportantFormKey": {"ImportantFormKey"},
    "Sampling": {"RandomSamplingPercentage"},
}
FIELD = "activation_conditions"


class InvalidConditions(DomainError):
    code = "invalid_activation_conditions"
    message = "The activation conditions are not valid."


def _fail(message: str) -> InvalidConditions:
    return InvalidConditions.on_field(FIELD, message)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"{where} must be a number.")
    return float(value)


def _check_simple(condition: dict, where: str) -> None:
    kind = condition.get("ConditionType")
    if kind not in CONDITION_PARAMETERS:
        known = ", ".join(sorted(CONDITION_PARAMETERS))
        raise _fail(f"{where}: unknown ConditionType {kind!r}; expected one of: {known}.")
    extra = set(condition) - {"ConditionType", "ConditionParameters"}
    if extra:
        raise _fail(f"{where}: unexpected keys {', '.join(sorted(extra))}.")
    parameters = condition.get("ConditionParameters")
    if not isinstance(parameters, dict):
        raise _fail(f"{where}: ConditionParameters must be an object.")
    unknown = set(parameters) - CONDITION_PARAMETERS[kind]
    if unknown:
        raise _fail(f"{where}: unknown parameters for {kind}: {', '.join(sorted(unknown))}.")
    missing = REQUIRED_PARAMETERS[kind] - set(parameters)
    if missing:
        raise _fail(f"{where}: {kind} needs {', '.join(sorted(missing))}.")
    for name, value in parameters.items():
        if "Confidence" in name or name == "RandomSamplingPercentage":
            if not 0 <= _number(value, f"{where}.{name}") <= 100:
                raise _fail(f"{where}.{name} must be between 0 and 100.")
        elif name == "ImportantFormKeyAliases":
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise _fail(f"{where}.{name} must be a list of strings.")
        elif not isinstance(value, str) or not value:
            raise _fail(f"{where}.{name} must be a non-empty string.")


def _check(condition: object, where: str, depth: int) -> None:
    if not isinstance(condition, dict):
        raise _fail(f"{where} must be an object.")
    operators = [key for key in ("And", "Or") if key in condition]
    if not operators:
        _check_simple(condition, where)
        return
    if len(condition) != 1:
        raise _fail(f"{where}: an And/Or condition has no other keys.")
    operator = operators[0]
    if depth >= MAX_NESTING:
        raise _fail(f"{where}: And/Or nest at most {MAX_NESTING} levels deep.")
    members = condition[operator]
    if not isinstance(members, list) or len(members) < 2:
        raise _fail(f"{where}.{operator} needs a list of at least two conditions.")
    for index, member in enumerate(members):
        _check(member, f"{where}.{operator}[{index}]", depth + 1)


def conditions_parse(text: str) -> dict | None:
    """The parsed conditions, or None for none (the client decides). Raises
    InvalidConditions naming where the problem is (JSON line/column, or the path)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise _fail("The activation conditions are a string holding JSON.")
    if not text.strip():
        return None
    if len(text) > CONDITIONS_MAX_CHARS:
        raise _fail(f"At most {CONDITIONS_MAX_CHARS} characters.")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    if not isinstance(parsed, dict) or set(parsed) != {"Conditions"}:
        raise _fail('The top level must be {"Conditions": [...]}.')
    conditions = parsed["Conditions"]
    if not isinstance(conditions, list) or not conditions:
        raise _fail("Conditions must be a non-empty list.")
    for index, condition in enumerate(conditions):
        _check(condition, f"Conditions[{index}]", 0)
    return parsed


@dataclass(frozen=True)
class Evaluation:
    activated: bool
    results: dict  # A2I's humanTaskActivationConditionResults


def _compare(parameters: dict, prefix: str, value: float) -> bool:
    checks = [
        COMPARISONS[name](value, float(parameters[f"{prefix}{name}"]))
        for name in COMPARISONS
        if f"{prefix}{name}" in parameters
    ]
    return all(checks)


def _moderation(parameters: dict, response: dict) -> bool:
    wanted = parameters["ModerationLabelName"]
    for label in response.get("ModerationLabels") or []:
        if not isinstance(label, dict):
            continue
        if wanted != "*" and label.get("Name") != wanted:
            continue
        confidence = label.get("Confidence")
        if isinstance(confidence, (int, float)) and _compare(parameters, "Confidence", confidence):
            return True
    return False


def _form_keys(response: dict) -> list[tuple[str, float, float]]:
    """(key text, key-value block confidence, lowest word confidence) per form key."""
    blocks = [block for block in response.get("Blocks") or [] if isinstance(block, dict)]
    by_id = {block.get("Id"): block for block in blocks}
    keys = []
    for block in blocks:
        if block.get("BlockType") != "KEY_VALUE_SET" or "KEY" not in (
            block.get("EntityTypes") or []
        ):
            continue
        words = [
            by_id.get(child, {})
            for relation in block.get("Relationships") or []
            if relation.get("Type") == "CHILD"
            for child in relation.get("Ids") or []
        ]
        text = " ".join(str(word.get("Text", "")) for word in words).strip()
        word_confidences = [float(word.get("Confidence", 0)) for word in words] or [0.0]
        keys.append((text, float(block.get("Confidence", 0)), min(word_confidences)))
    return keys


def _key_matches(text: str, parameters: dict) -> bool:
    names = [parameters["ImportantFormKey"], *parameters.get("ImportantFormKeyAliases", [])]
    if "*" in names:
        return True
    normalized = text.rstrip(":").strip().lower()
    return any(normalized == name.rstrip(":").strip().lower() for name in names)


def _form_key_confidence(parameters: dict, response: dict) -> bool:
    for text, key_value_confidence, word_confidence in _form_keys(response):
        if _key_matches(text, parameters) and (
            _compare(parameters, "KeyValueBlockConfidence", key_value_confidence)
            and _compare(parameters, "WordBlockConfidence", word_confidence)
        ):
            return True
    return False


def _missing_form_key(parameters: dict, response: dict) -> bool:
    return not any(_key_matches(text, parameters) for text, _, _ in _form_keys(response))


def _sampled(parameters: dict, seed: str) -> bool:
    bucket = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % 10_000
    return bucket < float(parameters["RandomSamplingPercentage"]) * 100


def _evaluate(condition: dict, response: dict, seed: str) -> dict:
    for operator, combine in (("And", all), ("Or", any)):
        if operator in condition:
            members = [_evaluate(member, response, seed) for member in condition[operator]]
            return {
                operator: members,
                "EvaluationResult": combine(m["EvaluationResult"] for m in members),
            }
    kind, parameters = condition["ConditionType"], condition["ConditionParameters"]
    if kind == "ModerationLabelConfidenceCheck":
        result = _moderation(parameters, response)
    elif kind == "ImportantFormKeyConfidenceCheck":
        result = _form_key_confidence(parameters, response)
    elif kind == "MissingImportantFormKey":
        result = _missing_form_key(parameters, response)
    else:
        result = _sampled(parameters, seed)
    return {**condition, "EvaluationResult": result}


def conditions_evaluate(conditions: dict, *, input_content: dict, seed: str) -> Evaluation:
    """Evaluate parsed `conditions` against the model output in `input_content`."""
    response = input_content.get("aiServiceResponse", input_content)
    if not isinstance(response, dict):
        response = {}
    results = [_evaluate(condition, response, seed) for condition in conditions["Conditions"]]
    return Evaluation(
        activated=any(result["EvaluationResult"] for result in results),
        results={"Conditions": results},
    )
