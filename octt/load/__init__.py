"""Load: many simulated charge points against one CSMS, every frame still validated.

`octt load` drives thousands of stations from one machine (`runner`: worker processes, each one
asyncio loop over many WebSocket connections, `station`); `octt run --background-load N` keeps
N of them busy while the conformance cases run; the Locust user class (`locustfile`, over the
synchronous `sync_client`) spreads stations over many machines. All of them share the sans-I/O
station core (`behaviour`: what to send; `protocol`: frames in and out, validation, figures) and
the statistics (`stats`); `report` writes load.json, load.html and the terminal summary.
"""
