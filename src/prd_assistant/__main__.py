"""``python -m prd_assistant`` runs the command line (same as ``prd``)."""

from prd_assistant.cli import console_main

console_main()
