"""The Slack front end: listeners, Block Kit, the conversation against Slack, state, server."""
