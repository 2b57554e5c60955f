"""The charge point's WebSocket client: subprotocol ocpp1.6, Basic auth, (later) TLS."""
