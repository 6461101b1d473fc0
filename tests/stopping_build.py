"""``policykg build`` that stops itself (SIGSTOP) at a named point: the fault tests'
child process, so that they kill a build at a known stage however fast the machine.

``python tests/stopping_build.py POINT build ARGS…`` runs the ``policykg`` command
with ``ARGS``; at ``POINT`` the process stops. The test waits for that
(``os.waitpid`` with ``WUNTRACED``; the ``stopped_build`` fixture of conftest.py),
looks at the folders and kills it with SIGKILL, so no cleanup code runs. Points are
seen from outside the pipeline, through what it shows anyway:

* ``articles=N`` — the progress event after the N-th article (reused or extracted;
  its cache files are in the staging folder);
* ``extracted=N`` — the progress event after the N-th newly extracted article;
* ``message=TEXT`` — the progress event that says ``TEXT`` (``writing dumps``,
  ``loading the store``, ``writing views``);
* ``replaced=GLOB`` — right after ``os.replace`` put a path matching ``GLOB``
  (``fnmatch`` on the whole destination) in place: a file the atomic writers
  finished (``*/.out.staging-*/graph.nq``) or one of the swap's two renames
  (``*/.out.old-*``: the previous output moved aside; ``*/out``: the new one in, or
  the previous one put back by the next build after a kill between the two).
"""
from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

KINDS = ("articles", "extracted", "message", "replaced")


@dataclass(frozen=True)
class StopPoint:
    kind: str       #: one of KINDS
    value: str

    def matches_event(self, event: Any) -> bool:
        """Whether a pipeline ``BuildProgress`` event is this point."""
        if self.kind == "articles":
            return event.stage == "articles" and event.articles == int(self.value)
        if self.kind == "extracted":
            return event.stage == "articles" and event.extracted == int(self.value)
        return self.kind == "message" and event.message == self.value

    def matches_path(self, path: str) -> bool:
        """Whether ``os.replace`` putting ``path`` in place is this point."""
        return self.kind == "replaced" and fnmatchcase(path, self.value)


def parse_point(text: str) -> StopPoint:
    """``KIND=VALUE`` as a :class:`StopPoint`.

    >>> parse_point("message=writing dumps")
    StopPoint(kind='message', value='writing dumps')
    >>> parse_point("extracted=one")
    Traceback (most recent call last):
    ValueError: stop point 'extracted=one': extracted needs a whole number, e.g. extracted=1
    >>> parse_point("views")
    Traceback (most recent call last):
    ValueError: stop point 'views': expected KIND=VALUE with KIND one of articles, extracted, message, replaced
    """
    kind, sep, value = text.partition("=")
    if not sep or kind not in KINDS or not value:
        raise ValueError(f"stop point {text!r}: expected KIND=VALUE with KIND one of "
                         + ", ".join(KINDS))
    if kind in ("articles", "extracted") and not value.isdigit():
        raise ValueError(f"stop point {text!r}: {kind} needs a whole number, e.g. {kind}=1")
    return StopPoint(kind, value)


def _stop() -> None:
    os.kill(os.getpid(), signal.SIGSTOP)


def main(argv: list[str]) -> None:
    point = parse_point(argv[0])
    from policykg.build import cli, pipeline

    real_replace = os.replace

    def replace(src: Any, dst: Any, **kw: Any) -> None:
        real_replace(src, dst, **kw)
        if point.matches_path(os.fspath(dst)):
            _stop()

    real_build = pipeline.build_corpus

    def build_corpus(*args: Any, progress: Any = None, **kw: Any) -> Any:
        def watch(event: Any) -> None:
            if progress is not None:
                progress(event)
            if point.matches_event(event):
                _stop()

        return real_build(*args, progress=watch, **kw)

    os.replace = replace                    # the atomic writers and the swap call os.replace
    pipeline.build_corpus = build_corpus    # the CLI imports it when it runs
    sys.argv = ["policykg", *argv[1:]]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
