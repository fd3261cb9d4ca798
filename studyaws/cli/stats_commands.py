"""`studyaws stats [--json]` and `studyaws optimize [--reschedule] [--workload] [--json]`."""

from __future__ import annotations

import argparse
import json

from studyaws.core.clock import Clock


def stats(args: argparse.Namespace, engine) -> int:
    from studyaws.services import stats_report as report

    result = report.collect(engine, Clock())
    if args.json:
        print(json.dumps(report.to_json(result), indent=2))
    else:
        print(report.to_text(result))
    return 0


def fit_text(result) -> str:
    """The before and after of a fit, as `studyaws optimize` prints it."""
    lines = []
    if result.resumed:
        lines.append(f"finished the reschedule an earlier run left unfinished: {result.resumed} "
                     "cards")
    lines += [f"reviews: {result.reviews} answers, {result.items} long-term reviews"
             + (f" ({result.train} fitted on, the latest {result.test} held out)"
                if result.before is not None else "")]
    if result.before is not None:
        name = "current (defaults)" if result.current_is_default else "current"
        lines.append(f"{'on the held-out reviews':<24} {'log loss':>9} {'RMSE(bins)':>11}")
        lines.append(f"{name:<24} {result.before.log_loss:>9.4f} {result.before.rmse_bins:>11.4f}")
        lines.append(f"{'fitted':<24} {result.after.log_loss:>9.4f} {result.after.rmse_bins:>11.4f}")
    lines.append(result.message)
    if result.rescheduled:
        lines.append(f"rescheduled {result.rescheduled} cards under the new parameters")
    return "\n".join(lines)


def workload_text(rows, desired: float) -> str:
    lines = ["workload over the next year, by desired retention (simulated):",
             f"  {'retention':<10} {'reviews/day':>11} {'minutes/day':>11} {'remembered':>11}"]
    for row in rows:
        mark = " <- now" if abs(row.retention - desired) < 1e-9 else ""
        lines.append(f"  {row.retention:<10.3f} {row.reviews_per_day:>11.1f} "
                     f"{row.minutes_per_day:>11.1f} {row.remembered:>11}{mark}")
    return "\n".join(lines)


def optimize(args: argparse.Namespace, engine) -> int:
    from studyaws.services import optimizer
    from studyaws.store.settings import load_settings

    if args.workload:
        rows = optimizer.workload_for(engine)
        if args.json:
            print(json.dumps({"workload": [row.__dict__ for row in rows]}, indent=2))
        else:
            print(workload_text(rows, load_settings(engine).desired_retention))
        return 0
    result = optimizer.optimize(engine, reschedule=args.reschedule, now=Clock().now())
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(fit_text(result))
        print(f"took {result.seconds:.2f} s")
    return 0
