"""The output models' base: a model is built on its first use, not at import (``defer_build``), and that
first use may come from several threads at once (the services clean and diagnose in worker threads).
Before pydantic 2.14 a thread could find the model half-built; pyproject.toml asks for 2.14."""

from __future__ import annotations

import sys
import threading
from typing import Any

from pydantic import ValidationError, create_model

from revox_mcp.domain.output import Out, dump

THREADS = 8
TRIALS = 20  # pydantic 2.13 failed about one trial in five here


def first_use_by_many_threads(model: type[Out], arguments: list[dict[str, Any]]) -> list[Any]:
    """Each thread's result of ``model(**arguments[i])`` (its dump, or the type of its first error),
    all threads starting at once, switching as often as the interpreter allows."""
    start = threading.Barrier(len(arguments))
    results: list[Any] = [None] * len(arguments)

    def use(index: int) -> None:
        start.wait()
        try:
            results[index] = dump(model(**arguments[index]))
        except ValidationError as exc:
            results[index] = exc.errors()[0]["type"]
        except Exception as exc:  # a half-built model: shown as the test's failure
            results[index] = repr(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=use, args=(index,)) for index in range(len(arguments))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
    finally:
        sys.setswitchinterval(interval)
    return results


def test_a_deferred_model_first_used_by_many_threads_at_once_validates_as_itself() -> None:
    for trial in range(TRIALS):
        leaf = create_model(f"Leaf{trial}", __base__=Out, name=(str, ...))
        fields: dict[str, Any] = {f"field_{index}": (int | None, None) for index in range(80)}
        tree = create_model(f"Tree{trial}", __base__=Out, size=(int, ...), leaves=(list[leaf], ...), **fields)  # type: ignore[valid-type]
        assert not tree.__pydantic_complete__  # nothing built yet: the threads' first use builds it
        arguments = [{"size": index, "leaves": [{"name": f"leaf {index}"}]} for index in range(THREADS)]
        arguments[-1] = {**arguments[-1], "extra": 1}  # refused by the model itself, as by its base
        expected: list[Any] = [dict(asked) for asked in arguments[:-1]]
        assert first_use_by_many_threads(tree, arguments) == [*expected, "extra_forbidden"], f"trial {trial}"
        assert tree.__pydantic_complete__
