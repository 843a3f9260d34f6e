"""Pure allocation logic (no ORM): who goes where, optimally, from plain data."""
