"""helpers.cpu_race: timed sequential / thread / process runs of the same work."""
import pytest

from helpers.cpu_race import MODES, CpuRace


def test_race_times_every_mode_and_keeps_the_fastest():
    with CpuRace(seconds=0.01, tasks=2, workers=2, start_method="fork") as race:
        assert race.pool_start > 0
        runs = [race.run(m) for m in MODES]
        assert all(len(r.timeline.spans) == 2 and r.wall > 0 for r in runs)
        assert runs[2].cpu < runs[2].wall  # the work ran in the worker processes
        ratio = race.speedup("线程")
        assert ratio > 0
        assert list(race.timelines()) == MODES
        assert all(race.best[m].wall <= r.wall for m, r in zip(MODES, runs))


def test_race_needs_its_pool_and_a_known_mode():
    race = CpuRace(seconds=0.01, tasks=1)
    with pytest.raises(RuntimeError):
        race.run("进程")
    with pytest.raises(ValueError):
        race.run("greenlet")
