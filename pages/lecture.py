"""The lecture: the slides with no data behind them (title, reflections, recaps, summaries, resources, reminders),
and every stop of the notes as a link."""
from core.ui.lecture_page import show

show()
