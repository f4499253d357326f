"""`python -m service` entry point."""

from service.cli import main

raise SystemExit(main())
