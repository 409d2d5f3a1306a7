"""The service: leadership, schedule, catch-up, watchdog, delivery loops."""
