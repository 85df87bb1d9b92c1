"""Demo work for `seed_demo`: the demo workers' team, two small text datasets and two
started projects, so a new user can sign in as a worker and label at once."""

import io
import json

from apps.accounts.models import Organization, User
from apps.core.demo import demo_seeder
from apps.datasets import services as dataset_services
from apps.datasets.models import Dataset
from apps.projects import services as project_services
from apps.projects.models import Project
from apps.tasks import services
from apps.workforces import services as workforce_services
from apps.workforces.models import Workteam

REVIEWS = [
    "A warm, funny film that never talks down to its audience.",
    "Two hours I will never get back.",
    "The lead performance is extraordinary; the script is not.",
    "Gorgeous to look at and completely hollow.",
    "I laughed, I cried, I bought the soundtrack.",
    "The plot holes are big enough to drive a truck through.",
    "A quiet triumph of small moments.",
    "Loud, long and strangely boring.",
    "Easily the best thriller of the year.",
    "The dialogue sounds like it was written by a committee.",
    "Charming from the first scene to the last.",
    "It wants to be clever and only manages to be smug.",
]
SENTENCES = [
    "Ada Lovelace wrote about the Analytical Engine in London in 1843.",
    "Grace Hopper joined the Navy reserve and later worked at Harvard.",
    "Alan Turing was born in Maida Vale and studied at Cambridge.",
    "Katherine Johnson calculated trajectories for NASA in Virginia.",
]
PROJECTS = [
    {
        "name": "review-sentiment",
        "dataset": ("Movie reviews", REVIEWS),
        "task_type": "text_classification",
        "label_attribute_name": "sentiment",
        "labels": [
            {"label": "positive", "description": "The reviewer liked the film."},
            {"label": "negative", "description": "The reviewer did not."},
            {"label": "mixed", "description": "Both, about equally."},
        ],
        "answers_per_item": 3,
        "short_instructions": "Read the review and choose the sentiment it expresses.",
        "full_instructions": "Judge the review, not the film. Praise and blame balanced: mixed.",
    },
    {
        "name": "people-and-places",
        "dataset": ("Computing history", SENTENCES),
        "task_type": "named_entity_recognition",
        "label_attribute_name": "entities",
        "labels": [
            {"label": "person"},
            {"label": "place"},
            {"label": "organization"},
            {"label": "date"},
        ],
        "answers_per_item": 1,
        "short_instructions": "Select each name with the mouse, then press its number.",
        "full_instructions": "Mark people, places, organizations and dates; leave titles out.",
    },
]


def _team(organization: Organization, owner: User, workers: list[User]) -> Workteam:
    team = Workteam.objects.filter(organization=organization, name="demo-annotators").first()
    if team is None:
        team = workforce_services.workteam_create(
            organization=organization,
            name="demo-annotators",
            kind="private",
            actor=owner,
            description="The three demo workers.",
        )
        for worker in workers:
            workforce_services.workteam_member_add(workteam=team, user=worker, actor=owner)
    return team


def _dataset(organization: Organization, owner: User, name: str, texts: list[str]) -> Dataset:
    dataset = Dataset.objects.filter(organization=organization, name=name).first()
    if dataset is None:
        dataset = dataset_services.dataset_create(organization=organization, actor=owner, name=name)
        manifest = "".join(json.dumps({"source": text}) + "\n" for text in texts).encode()
        run = dataset_services.manifest_import_start(
            dataset=dataset,
            actor=owner,
            source="upload",
            upload=io.BytesIO(manifest),
            enqueue=False,
        )
        dataset_services.manifest_import_run(manifest_import_id=run.id)
    return dataset


@demo_seeder(order=50)
def seed_work(*, facts: dict) -> list[str]:
    organization = Organization.objects.get(slug="demo")
    owner = User.objects.get(email="owner@demo.test")
    workers = list(User.objects.filter(email__in=[f"worker{n}@demo.test" for n in (1, 2, 3)]))
    team = _team(organization, owner, workers)
    lines = ["Demo projects (sign in as a worker, open My tasks, press Start):"]
    for spec in PROJECTS:
        fields = dict(spec)
        dataset_name, texts = fields.pop("dataset")
        project = Project.objects.filter(organization=organization, name=fields["name"]).first()
        if project is None:
            dataset = _dataset(organization, owner, dataset_name, texts)
            project = project_services.project_create(
                organization=organization, actor=owner, dataset=dataset, workteam=team, **fields
            )
            project = services.project_start(project=project, actor=owner)
            # Create the tasks now, broker or not: the demo is ready when seeded (the
            # queued job then finds the project open and does nothing).
            services.project_tasks_create(project=project)
        lines.append(f"  {project.name:<20} {project.get_task_type_display()}")
    facts["projects"] = [spec["name"] for spec in PROJECTS]
    return lines
