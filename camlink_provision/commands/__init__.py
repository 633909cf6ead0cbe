"""One module per sub-command: each turns parsed arguments into a run and an exit status.

``common.open_session`` is what every camera-facing command starts with: load the site,
select cameras by ``--limit``, and with ``--emulate`` start the emulated fleet and aim every
camera's connection at it.
"""
