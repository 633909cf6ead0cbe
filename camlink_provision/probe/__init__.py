"""``camlink-provision probe``: what a camera's firmware calls things, against the profile.

    expect.py    the names a profile makes a camera use, grouped by pattern
    observe.py   what the camera shows, read through a client that only reads
    compare.py   per pattern: present, missing, typed as expected; candidates for the missing
    override.py  the corrections found, as an override file for a person to review
    report.py    text and JSON
"""
