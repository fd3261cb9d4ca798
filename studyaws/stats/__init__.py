"""Progress you can see: review heatmap, due forecast, true retention, domain mastery,
readiness for the exam, and FSRS parameters fitted to the user's own reviews.

- `queries`: what the stats read from the store (plain rows, no computing);
- `compute`: the numbers, pure functions of those rows and "now";
- `report`: both put together, as JSON and as text for `studyaws stats`;
- `optimizer`: fitting FSRS with fsrs-rs-python (imported only there).
"""
