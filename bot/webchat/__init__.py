"""The web chat widget: its source (src/), the committed bundle (static/) and a demo server."""
