"""Election-day writes. Each use case in its own module; every one bumps the operation's board version."""
