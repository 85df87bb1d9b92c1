from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "apps.reviews"
    label = "reviews"

    def ready(self) -> None:
        from apps.reviews.services.loops import human_loop_task_answered
        from apps.tasks.services import task_answered_listen

        task_answered_listen(human_loop_task_answered)
