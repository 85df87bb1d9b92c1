"""Where the shared task-UI fixtures are: never copied into the repository.

The CI clone has shared/ beside it; a worktree finds it one level further up."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = next(
    (
        candidate / "shared" / "fixtures" / "task-uis"
        for candidate in (REPO_ROOT.parent, REPO_ROOT.parent.parent)
        if (candidate / "shared" / "fixtures" / "task-uis").is_dir()
    ),
    REPO_ROOT.parent / "shared" / "fixtures" / "task-uis",
)


def fixture_template(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")
