"""`studyaws stats [--json]` and `studyaws optimize [--reschedule] [--workload] [--retention]
[--time-series] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys

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
    from studyaws.core.text import printable

    lines = []
    if result.resumed:
        lines.append(f"finished the reschedule an earlier run left unfinished: {result.resumed} "
                     "cards")
    if result.preset is not None:
        lines.append(f"preset {printable(result.preset)}: the reviews of its decks only")
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


WORKLOAD_HEADER = (f"  {'retention':<10} {'reviews/day':>11} {'new/day':>8} "
                   f"{'minutes/day':>11} {'remembered':>11}")


def workload_line(row, mark: str = "") -> str:
    """One row of a workload table as the CLI prints it, `mark` after it."""
    return (f"  {row.retention:<10.3f} {row.reviews_per_day:>11.1f} {row.new_per_day:>8.1f} "
            f"{row.minutes_per_day:>11.1f} {row.remembered:>11}{mark}")


def workload_text(forecast, desired: float) -> str:
    from studyaws.services.optimizer import is_row_of

    lines = [f"workload over the next {forecast.days} days by desired retention, simulated "
             f"from your collection ({forecast.studied} studied cards, {forecast.new} new):",
             WORKLOAD_HEADER]
    lines += [workload_line(row, " <- now" if is_row_of(row, desired) else "")
              for row in forecast.rows]
    return "\n".join(lines)


def retention_text(result) -> str:
    """The optimal retention and the workload table (with the optimal and the current
    setting marked), as `studyaws optimize --retention` prints it."""
    f = result.forecast
    lines = [f"optimal desired retention: {result.optimal:.2f} (the least study time per card "
             "remembered, searched from 0.70 to 0.95)",
             f"your desired retention:    {result.current:.2f}",
             f"workload over the next {f.days} days, simulated from your collection "
             f"({f.studied} studied cards, {f.new} new):",
             WORKLOAD_HEADER]
    for row in f.rows:
        names = result.marks(row)
        lines.append(workload_line(row, f"  <- {' & '.join(names)}" if names else ""))
    seconds = ", ".join(f"{name} {value:.1f}" for name, value in
                        zip(("Again", "Hard", "Good", "Easy"), f.times.seconds, strict=True))
    lines.append(f"seconds an answer: {seconds}")
    first = ", ".join(f"{name} {share:.0%}" for name, share in
                      zip(("Again", "Hard", "Good", "Easy"), f.shares.first, strict=True))
    recall = ", ".join(f"{name} {share:.0%}" for name, share in
                       zip(("Hard", "Good", "Easy"), f.shares.recall, strict=True))
    lines.append(f"ratings of first answers:    {first}")
    lines.append(f"ratings of recalled reviews: {recall}")
    if result.note:
        lines.append(result.note)
    return "\n".join(lines)


def time_series_text(folds, items: int, default: bool) -> str:
    from studyaws.services.optimizer import MIN_ITEMS

    if not folds:
        return (f"Not enough reviews to evaluate: {items} long-term reviews, {MIN_ITEMS} "
                "needed.")
    name = "defaults" if default else "current"
    lines = [f"time-series evaluation of {items} long-term reviews in five folds by time "
             "(log loss / RMSE(bins) on the next fold):",
             f"  {'fold':<6} {'fitted on':>9} {'tested on':>9} {name:>17} {'fitted':>17}"]
    for fold in folds:
        lines.append(f"  {fold.k:<6} {fold.train:>9} {fold.test:>9} "
                     f"{fold.current.log_loss:>8.4f}/{fold.current.rmse_bins:<8.4f} "
                     f"{fold.fitted.log_loss:>8.4f}/{fold.fitted.rmse_bins:<8.4f}")
    better = sum(f.fitted.log_loss < f.current.log_loss for f in folds)
    lines.append(f"the fit has the lower log loss in {better} of {len(folds)} folds")
    return "\n".join(lines)


def optimize(args: argparse.Namespace, engine) -> int:
    from studyaws.services import optimizer
    from studyaws.store.settings import load_settings

    if args.preset is not None and (args.retention or args.time_series or args.workload):
        print("studyaws optimize: --preset goes with a fit only (not with --retention, "
              "--time-series or --workload)", file=sys.stderr)
        return 2
    if args.retention:
        result = optimizer.optimal_retention(engine, now=Clock().now())
        if args.json:
            print(json.dumps(result.to_json(), indent=2))
        else:
            print(retention_text(result))
        return 0
    if args.time_series:
        folds, items, default = optimizer.time_series_for(engine)
        if args.json:
            print(json.dumps({"items": items, "current_is_default": default, "folds": [
                {"k": f.k, "train": f.train, "test": f.test,
                 "current": f.current.__dict__, "fitted": f.fitted.__dict__}
                for f in folds]}, indent=2))
        else:
            print(time_series_text(folds, items, default))
        return 0
    if args.workload:
        result = optimizer.workload_for(engine, now=Clock().now())
        if args.json:
            print(json.dumps({"days": result.days, "studied": result.studied,
                              "new": result.new, "parameters_fitted": result.parameters_fitted,
                              "workload": [row.__dict__ for row in result.rows]}, indent=2))
        else:
            print(workload_text(result, load_settings(engine).desired_retention))
        return 0
    try:
        result = optimizer.optimize(engine, reschedule=args.reschedule, now=Clock().now(),
                                    preset=args.preset)
    except optimizer.OptimizeError as exc:
        from studyaws.core.text import printable

        print(printable(f"studyaws optimize: {exc}"), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(fit_text(result))
        print(f"took {result.seconds:.2f} s")
    return 0
