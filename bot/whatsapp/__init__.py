"""WhatsApp adapter: our own Meta Cloud API webhook, forwarding to Rasa's REST channel."""
