"""A line for heavy work: at most `slots` jobs run at once, the others wait their turn in the order they came, each
able to see how many are ahead of it and to leave the line."""
import itertools
import threading


class Line:
    def __init__(self, slots: int):
        self.slots = slots
        self._changed = threading.Condition()
        self._waiting: list[int] = []  # tickets in order of arrival
        self._running: set[int] = set()
        self._numbers = itertools.count()

    def join(self) -> int:
        """A ticket at the back of the line."""
        with self._changed:
            ticket = next(self._numbers)
            self._waiting.append(ticket)
            return ticket

    def ahead(self, ticket: int) -> int:
        """How many jobs must start before this ticket's turn comes: those waiting in front, and, while every slot
        is taken, one more (the first to finish frees the slot)."""
        with self._changed:
            if ticket in self._running:
                return 0
            return self._waiting.index(ticket) + (len(self._running) >= self.slots)

    def start(self, ticket: int, timeout: float = 0.0) -> bool:
        """Start this ticket's job if its turn has come (waiting up to `timeout` seconds for it); whether it did."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._turn(ticket), timeout):
                return False
            self._waiting.remove(ticket)
            self._running.add(ticket)
            return True

    def leave(self, ticket: int) -> None:
        """The job is done, or its student went away: free its place or its slot."""
        with self._changed:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._running.discard(ticket)
            self._changed.notify_all()

    @property
    def busy(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._changed:
            return len(self._running), len(self._waiting)

    def _turn(self, ticket: int) -> bool:
        return self._waiting[0] == ticket and len(self._running) < self.slots
