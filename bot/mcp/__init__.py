"""The MCP front end: `aicost mcp` serves the estimator's tools to AI assistants."""
