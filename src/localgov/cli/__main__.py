"""``python -m localgov.cli``: the ``localgov`` command, for when the console script is not on PATH."""

from localgov.cli import main

if __name__ == "__main__":
    main()
