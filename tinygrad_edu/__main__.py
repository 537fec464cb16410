"""`python -m tinygrad_edu`: the same as the `tinygrad-edu` command.

The one engine file that points upward, on purpose: the command is the application (models,
the top layer), and `python -m` can only start from the package's own name. The import is
inside main() so that importing the engine never loads the layers above it.
"""

import sys


def main() -> int:
    from .models.app import main as app_main  # lazy: the engine must not import models

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
