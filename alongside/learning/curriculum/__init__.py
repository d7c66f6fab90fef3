"""The shipped starter curriculum: data files only (see README.md in this folder).
The parser that reads and validates them is ``parser.py``."""
