"""Reply by mail: the process that receives replies to notification mails and posts them in
their conversations (`python -m services.inbound_mail.server`; receiving.py says how a mail goes)."""
