"""Python annotation hooks the tests register in settings.ANNOTATION_HOOK_CALLABLES."""

import json
import threading
from collections import Counter

import boto3

# What the S3-reading hook was sent, for the test to check.
received_uris: list[str] = []
# Holds `post_hangs` until the test lets it go.
release = threading.Event()


def pre_uppercase(event: dict) -> dict:
    text = event["dataObject"]["source"]
    return {"taskInput": {"taskObject": text.upper()}, "humanAnnotationRequired": "true"}


def pre_skip_all(event: dict) -> dict:
    return {"taskInput": {}, "isHumanAnnotationRequired": False}


def pre_broken(event: dict) -> dict:
    raise KeyError("taskObject")


def _majority(batch: list, attribute: str) -> list:
    """The recipe Lambda's majority vote over one batch file's data objects."""
    results = []
    for data_object in batch:
        labels = [
            json.loads(a["annotationData"]["content"])["crowd-classifier"]["label"]
            for a in data_object["annotations"]
        ]
        label, votes = Counter(labels).most_common(1)[0]
        results.append(
            {
                "datasetObjectId": data_object["datasetObjectId"],
                "consolidatedAnnotation": {
                    "content": {attribute: {"label": label, "votes": votes}}
                },
            }
        )
    return results


def post_majority(event: dict) -> list:
    """Reads the batch inline (payload.content): a dataset with no storage."""
    return _majority(event["payload"]["content"], event["labelAttributeName"])


def post_majority_from_s3(event: dict) -> list:
    """Reads the batch as a Ground Truth Lambda does: boto3 fetches payload.s3Uri, with the
    endpoint and keys from the environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID...)."""
    uri = event["payload"]["s3Uri"]
    received_uris.append(uri)
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return _majority(json.loads(body), event["labelAttributeName"])


def post_hangs(event: dict) -> list:
    release.wait(30)
    return []
