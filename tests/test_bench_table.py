"""The benchmark's table: the first-answer and ingest-worker ratios land next to the figures they compare."""

from __future__ import annotations

from evals.bench import against_targets, flatten, format_table


def test_first_answer_and_ingest_worker_ratios_are_reported_beside_their_figures():
    result = {
        "first_answer": {
            "median_s": {"fresh": 7.5, "warm": 6.0, "fresh_without_prebuilt": 30.0},
            "fresh_over_warm": 1.25,
            "before_fresh_over_warm": 5.0,
        },
        "ingest_workers": {"median_s": {"1": 60.0, "2": 40.0}, "speedup": 1.5},
    }

    metrics = flatten(result)
    table = format_table(metrics, against_targets(metrics), None)

    assert metrics["first_answer_fresh_over_warm"] == 1.25 and metrics["ingest_workers_speedup"] == 1.5
    lines = table.splitlines()
    row = next(line for line in lines if line.startswith("first answer: fresh clone / warm"))
    assert "1.25 x" in row and row.rstrip().endswith("ok")
    assert any(line.startswith("first answer, fresh clone before .prebuilt") and "30.0 s" in line for line in lines)
    assert any(line.startswith("  the same / warm (before)") and "5.00 x" in line for line in lines)
    assert any(line.startswith("  throughput 2 workers / before") and "1.50 x" in line for line in lines)
    assert metrics["cold_ingest_s"] is None  # a step not run is not measured, not zero
