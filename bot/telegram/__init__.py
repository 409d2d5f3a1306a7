"""The Telegram front end: the PTB Application, the access gate, the command handlers."""
