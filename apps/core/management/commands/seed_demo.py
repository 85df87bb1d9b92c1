"""Idempotent demo data from every app (see apps/core/demo.py): `seed_demo [--json]`."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from apps.core.demo import demo_seeders


class Command(BaseCommand):
    help = "Create (or complete) the demo organizations, people, data and projects. Safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the logins and a fresh API credential for the demo organization as JSON.",
        )

    @scopes_disabled()
    def handle(self, *args, **options):
        facts: dict = {"want_credential": options["json"]}
        lines: list[str] = []
        with transaction.atomic():
            for seeder in demo_seeders():
                lines += seeder(facts=facts)
        facts.pop("want_credential")
        if options["json"]:
            self.stdout.write(json.dumps(facts, indent=2, default=str))
        else:
            self.stdout.write("\n".join(lines))
