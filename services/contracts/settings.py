"""The marketplace's settings as one resource: conversations keep which conversations exist
and where the buttons show, notifications who is told of what; GET/PUT /v1/settings shows both."""

from marshmallow import fields

from .conversations import ConversationSettings
from .notifications import NotificationSettingsSchema


class MarketplaceSettings(ConversationSettings):
    notifications = fields.Nested(
        NotificationSettingsSchema(partial=True),
        metadata={
            "description": "Per event kind and receiving side, the channels (email, in_app); the burst "
            "window (coalesce_seconds) and the mail retry policy. A PUT may give part of it."
        },
    )
