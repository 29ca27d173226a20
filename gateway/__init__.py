"""The HTTP gateway: the contract in ../shared/api.md, in front of the nameko services."""
