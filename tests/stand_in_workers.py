"""A stand-in for the batch's worker processes, for tests of the order of events in ``execute_notebooks``.

It runs nothing: it "finishes" its notebook (as failed, so there is nothing to collect) on a given poll and tells
``record`` what happened, so that a test sees the exact order of starts, ends and stops without any kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from serviceplan.publish.run_model import MonthPlan, NotebookJob


class StandInContext:
    """The multiprocessing context the loop asks for its start method: ``spawn`` (no forked kernels, workers
    started in the loop) unless told otherwise; ``forkserver`` makes the loop start its first workers in a
    thread, as it does when they are forked from the worker server."""

    def __init__(self, start_method: str = "spawn") -> None:
        self.start_method = start_method

    def get_start_method(self) -> str:
        return self.start_method


def stand_in_worker(record: Callable[[str, MonthPlan, NotebookJob], None], polls: int = 3) -> type:
    """A worker class whose workers finish on poll ``polls`` and report ``started``, ``finished`` and ``stopped``."""

    class StandInWorker:
        def __init__(self, context: Any) -> None:
            self.job: tuple[MonthPlan, NotebookJob] | None = None
            self.polls = 0

        def submit(self, plan: MonthPlan, job: NotebookJob, spec: dict[str, Any]) -> None:
            self.job = (plan, job)
            record("started", plan, job)

        def result(self) -> dict[str, Any] | None:
            self.polls += 1
            if self.polls < polls:
                return None
            assert self.job is not None
            record("finished", *self.job)
            return {"ok": False, "error": "stand-in", "seconds": 0.0}

        def waitables(self) -> list[Any]:
            return []  # nothing to wait on: the loop polls it again after its pause

        def stop(self) -> None:
            pass

        def kill(self) -> None:
            assert self.job is not None
            record("stopped", *self.job)

    return StandInWorker
