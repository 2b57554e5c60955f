"""`octt console`: a lab console in the browser, driving the same engine as `octt run`.

The rooms: `app` (the web application and its guards), `session` (one run at a time, set up as
`octt run` sets it up), `live` (the engine's events and the recorder's frames as JSON messages
for the page), `operator` (the prompt operator in the page), `forms` (the start form and the
RunConfig it makes), `pics_files` (saved and uploaded PICS, checked with every problem shown),
`history` (the run folders under the reports folder) and `server` (serving it on a bind address,
with the token rule).
"""
