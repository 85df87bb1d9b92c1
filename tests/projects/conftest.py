from tests.datasets.conftest import _dataset_roots  # noqa: F401  (each test: its own storage roots)
