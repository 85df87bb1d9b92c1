from django.urls import path

from apps.tasks import views

urlpatterns = [
    path("work/tasks/", views.work_tasks, name="work_tasks"),
    path("work/start/", views.work_start, name="work_start"),
    path("work/assignments/<int:assignment_id>/", views.work_assignment, name="work_assignment"),
]
