"""Python annotation hooks the tests register in settings.ANNOTATION_HOOK_CALLABLES."""


def pre_uppercase(event: dict) -> dict:
    text = event["dataObject"]["source"]
    return {"taskInput": {"taskObject": text.upper()}, "humanAnnotationRequired": "true"}


def pre_skip_all(event: dict) -> dict:
    return {"taskInput": {}, "isHumanAnnotationRequired": False}


def pre_broken(event: dict) -> dict:
    raise KeyError("taskObject")


def post_majority(event: dict) -> list:
    """The recipe's majority vote, reading the batch inline (payload.content)."""
    import json
    from collections import Counter

    results = []
    for data_object in event["payload"]["content"]:
        labels = [
            json.loads(a["annotationData"]["content"])["crowd-classifier"]["label"]
            for a in data_object["annotations"]
        ]
        label, votes = Counter(labels).most_common(1)[0]
        results.append(
            {
                "datasetObjectId": data_object["datasetObjectId"],
                "consolidatedAnnotation": {
                    "content": {event["labelAttributeName"]: {"label": label, "votes": votes}}
                },
            }
        )
    return results
