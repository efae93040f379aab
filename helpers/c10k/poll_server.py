"""Chapter 07's selectors echo server on ``selectors.PollSelector`` (``python -m helpers.c10k.poll_server``).

The same code as the lab's ``selectors`` server; only the selector differs.  ``poll()`` takes the
whole list of watched descriptors on every call and the kernel checks each one, so its cost per
loop iteration grows with the number of connections, idle or not (chapter 06's curves);
``epoll_wait`` only returns the ready ones.  Chapter 09's realistic C10K compares the two.

Used in: 09.
"""
from __future__ import annotations

import sys

from helpers.servers.selectors_echo import main as selectors_main

__all__ = ["main"]


def main() -> int:
    return selectors_main(["--selector", "poll"])


if __name__ == "__main__":
    sys.exit(main())
