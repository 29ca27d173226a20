"""Notifications: the other side learns of each message by mail, in-app bell and webhooks."""
