"""Demo data, contributed by each app: `python manage.py seed_demo` runs them in order.

An app registers a seeder in its `demo.py` (imported by its AppConfig.ready):

    @demo_seeder(order=20)
    def seed(*, facts: dict) -> list[str]:
        ...  # idempotent: find or create; read what earlier seeders left in `facts`
        return ["lines for the console"]

`facts` is shared by all seeders in one run and printed by `seed_demo --json`.
"""

from collections.abc import Callable

Seeder = Callable[..., list[str]]
_SEEDERS: list[tuple[int, Seeder]] = []


def demo_seeder(*, order: int) -> Callable[[Seeder], Seeder]:
    def register(seeder: Seeder) -> Seeder:
        if all(existing is not seeder for _, existing in _SEEDERS):
            _SEEDERS.append((order, seeder))
        return seeder

    return register


def demo_seeders() -> list[Seeder]:
    return [seeder for _, seeder in sorted(_SEEDERS, key=lambda entry: entry[0])]
