"""Sans-I/O OCPP-J 1.6 session: framing, unique ids, pending calls, deadlines given "now"."""
