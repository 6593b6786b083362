"""The wording of each Slack message kind, one module per kind, built with bot/slack/blockkit.py."""
