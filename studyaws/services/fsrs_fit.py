"""fsrs-rs-python's fit on items held as arrays (core.srs.fit_items.Items), here or in a
process of its own.

fsrs-rs holds the GIL through a whole fit, so two fits run side by side only in two
processes. `Background` starts one (`python -m studyaws.services.fsrs_fit`), hands it the
items as arrays over a pipe and reads back the fitted parameters; fsrs-rs's fit is seeded,
so the parameters are the ones the same fit gives in this process. This module imports
nothing but fsrs-rs-python, the standard library and module_process, so that such a process
starts small.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Sequence

from studyaws.services import module_process

Pair = tuple[int, int]  # (rating, days since the answer before)


def rs_items(pairs: Sequence[Pair], codes: array, starts: array, ends: array):
    """An iterator of fsrs_rs_python.FSRSItem objects, item i being the answers
    codes[starts[i]:ends[i]] (each a code for its pair in `pairs`). Each answer's review is
    put in one list (a pointer each: 8 MB at 1,000,000 answers) so that an item is one slice
    of it, made without a Python frame per item; the FSRSReview objects are shared, one per
    pair. Only the iterator holds that list: fsrs-rs-python reads it to the end and lets it go
    before its own work (and its memory peak) begins."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    reviews = [FSRSReview(rating, days) for rating, days in pairs]
    every = list(map(reviews.__getitem__, codes))
    return map(FSRSItem, map(every.__getitem__, map(slice, starts, ends)))


def fit(rs: Sequence, epochs: int, relearning_steps: int) -> tuple[float, ...]:
    """fsrs-rs-python's compute_parameters on `rs` (a sequence of FSRSItem), as every fit of
    the optimizer asks for it."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, TrainingConfig

    fitted = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
        rs, enable_short_term=True, num_relearning_steps=relearning_steps,
        training_config=TrainingConfig(num_epochs=epochs))
    return tuple(float(w) for w in fitted)


class _Arrays(Sequence):
    """The items of the arrays as a sequence that fsrs-rs-python reads once, front to back."""

    def __init__(self, pairs, codes, starts, ends):
        self.parts = (pairs, codes, starts, ends)
        self.length = len(starts)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        raise TypeError("read front to back only")

    def __iter__(self):
        parts, self.parts = self.parts, None  # read once: let go of the arrays
        return rs_items(*parts)


class Background(module_process.Started):
    """A fit running in a process of its own, started at once."""

    def __init__(self, pairs: Sequence[Pair], codes: array, starts: array, ends: array,
                 epochs: int, relearning_steps: int):
        header = {"pairs": [list(pair) for pair in pairs], "codes": len(codes),
                  "items": len(starts), "epochs": epochs, "relearning_steps": relearning_steps}

        def given():  # an array's bytes made as it is written, not all three at once
            yield json.dumps(header).encode() + b"\n"
            for part in (codes, starts, ends):
                yield array("I", part).tobytes()

        super().__init__("studyaws.services.fsrs_fit", given())

    def result(self) -> tuple[float, ...] | None:
        """The fitted parameters, once the fit is done; None if the process failed."""
        out = self.output()
        if out is None:
            return None
        try:
            fitted = json.loads(out)
        except ValueError:
            return None
        return tuple(float(w) for w in fitted)


def main() -> int:
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    codes, starts, ends = array("I"), array("I"), array("I")
    codes.fromfile(stdin, header["codes"])
    starts.fromfile(stdin, header["items"])
    ends.fromfile(stdin, header["items"])
    pairs = [tuple(pair) for pair in header.pop("pairs")]
    items = _Arrays(pairs, codes, starts, ends)
    del pairs, codes, starts, ends
    fitted = fit(items, header["epochs"], header["relearning_steps"])
    sys.stdout.write(json.dumps(list(fitted)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
