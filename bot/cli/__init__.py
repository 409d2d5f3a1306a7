"""The `opsbot` command line (typer): database, imports, jobs, monitors, sandbox, demo."""
