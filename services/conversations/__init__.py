"""Conversations: threads, messages, read state, and who may see and write what."""
