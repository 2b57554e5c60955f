"""The simulated charge point: connectors, transactions, configuration keys, authorization cache,
offline queue, and the rules by which it answers the CSMS."""
