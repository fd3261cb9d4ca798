"""The exam clock's rules without a screen: fake monotonic times go in, what is due comes out."""

from __future__ import annotations

from studyaws.core.exam.timer import Due, ExamTimer


def test_counts_down_the_time_between_the_times_it_is_given():
    timer = ExamTimer(900, 900, now=100.0)
    assert timer.remaining() == 900 and timer.used() == 0
    timer.advance(130.5)
    assert timer.remaining() == 869.5 and timer.used() == 30.5
    timer.advance(130.0)  # a "now" earlier than the last one counts nothing
    assert timer.remaining() == 869.5
    timer.advance(131.5)
    assert timer.remaining() == 868.5


def test_a_resumed_exam_starts_from_the_time_it_had():
    timer = ExamTimer(900, 612, now=5000.0)
    timer.advance(5010.0)
    assert timer.remaining() == 602 and timer.used() == 298


def test_warnings_at_ten_and_five_minutes_each_given_once():
    timer = ExamTimer(900, 900, now=0.0)
    assert timer.tick(299.0).warnings == ()
    assert timer.tick(300.0).warnings == (600,)
    assert timer.tick(301.0).warnings == ()
    assert not timer.running_out
    assert timer.tick(600.0).warnings == (300,)
    assert timer.running_out
    assert timer.tick(700.0).warnings == ()


def test_a_long_gap_gives_every_warning_passed_in_it_at_once():
    timer = ExamTimer(900, 900, now=0.0)
    due = timer.tick(890.0)
    assert due.warnings == (600, 300) and not due.expired


def test_warnings_already_passed_when_resumed_are_not_given_again():
    timer = ExamTimer(900, 400, now=0.0)
    assert timer.tick(1.0).warnings == ()
    assert timer.tick(100.0).warnings == (300,)


def test_the_time_runs_out_at_zero_and_never_goes_below():
    timer = ExamTimer(60, 60, now=0.0)
    assert not timer.tick(59.0).expired
    due = timer.tick(75.0)
    assert due.expired and timer.expired and timer.remaining() == 0 and timer.used() == 60


def test_paused_time_is_not_counted():
    timer = ExamTimer(900, 900, now=0.0)
    timer.advance(10.0)
    timer.pause(12.5)  # the time up to the pause counts
    assert timer.paused and timer.remaining() == 887.5
    assert timer.tick(500.0) == Due(save=True)  # paused: nothing more counted or warned
    assert timer.remaining() == 887.5
    timer.resume(600.0)
    timer.advance(660.0)
    assert not timer.paused and timer.remaining() == 827.5
    timer.toggle_pause(661.0)
    timer.advance(1000.0)
    timer.toggle_pause(1000.0)
    timer.advance(1001.0)
    assert timer.remaining() == 825.5


def test_the_remaining_time_is_due_for_saving_every_second_of_exam_time():
    timer = ExamTimer(900, 900, now=0.0)
    assert not timer.tick(0.6).save
    assert timer.tick(1.0).save
    assert timer.tick(1.2).save  # still due until it is saved
    timer.saved()
    assert not timer.tick(2.1).save
    assert timer.tick(2.3).save
    timer.saved()
    timer.pause(2.3)
    assert not timer.tick(100.0).save  # a paused clock has nothing new to save


def test_warnings_and_saving_are_configurable():
    timer = ExamTimer(120, 120, now=0.0, warnings_s=(30, 90), save_every_s=10)
    assert timer.tick(5.0) == Due()
    assert timer.tick(31.0) == Due(warnings=(90,), save=True)
    timer.saved()
    assert timer.tick(95.0) == Due(warnings=(30,), save=True)
    assert timer.running_out
