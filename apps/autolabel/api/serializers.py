from rest_framework import serializers

from apps.autolabel.models import AutolabelRound, AutolabelSettings


class SettingsInput(serializers.Serializer):
    enabled = serializers.BooleanField()
    target_accuracy = serializers.FloatField(required=False, min_value=0.51, max_value=0.999)
    model_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    initial_batch_size = serializers.IntegerField(required=False, min_value=100)
    batch_size = serializers.IntegerField(required=False, min_value=10)
    validation_share = serializers.FloatField(required=False, min_value=0.05, max_value=0.5)


class SettingsOutput(serializers.ModelSerializer):
    class Meta:
        model = AutolabelSettings
        fields = [
            "state",
            "stop_reason",
            "target_accuracy",
            "model_name",
            "initial_batch_size",
            "batch_size",
            "validation_share",
        ]


class SummaryOutput(serializers.Serializer):
    settings = SettingsOutput()
    items = serializers.IntegerField()
    human_labeled = serializers.IntegerField()
    model_labeled = serializers.IntegerField()
    unlabeled = serializers.IntegerField()
    validated_accuracy = serializers.FloatField(allow_null=True)
    validated_low = serializers.FloatField(allow_null=True)
    validated_high = serializers.FloatField(allow_null=True)
    spot_checks = serializers.IntegerField()
    spot_checks_correct = serializers.IntegerField()
    spot_check_low = serializers.FloatField(allow_null=True)
    spot_check_high = serializers.FloatField(allow_null=True)
    estimated_accuracy = serializers.FloatField(allow_null=True)
    estimated_low = serializers.FloatField(allow_null=True)
    estimated_high = serializers.FloatField(allow_null=True)


class RoundOutput(serializers.ModelSerializer):
    class Meta:
        model = AutolabelRound
        fields = [
            "number",
            "outcome",
            "reason",
            "model_version",
            "training_size",
            "validation_size",
            "validation_accuracy",
            "threshold",
            "validation_above",
            "accuracy_above",
            "accuracy_above_low",
            "accuracy_above_high",
            "items_auto_labeled",
            "items_ranked",
            "human_labeled_total",
            "model_labeled_total",
            "answers_saved",
            "cost_saved",
            "seconds",
            "created_at",
        ]


class SampleOutput(serializers.Serializer):
    task_id = serializers.IntegerField(source="pk")
    item_id = serializers.IntegerField()
    data = serializers.JSONField(source="item.data")
    label = serializers.JSONField(source="consolidated_label")
    confidence = serializers.FloatField()
    model_version = serializers.CharField(source="label_model_version")


class SpotCheckInput(serializers.Serializer):
    task_id = serializers.IntegerField()
    is_correct = serializers.BooleanField()
    corrected_label = serializers.CharField(required=False, allow_blank=True, max_length=100)


class SpotCheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    is_correct = serializers.BooleanField()
    corrected_label = serializers.CharField()
    model_version = serializers.CharField()
