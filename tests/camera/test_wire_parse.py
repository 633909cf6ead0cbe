"""Reading ``name='value'`` replies: the fast path for well-formed replies and the careful
one for everything else give the same pairs and the same errors."""

from __future__ import annotations

import pytest

from camlink_provision.camera import wire
from camlink_provision.camera.wire import ReplyError


@pytest.mark.parametrize("text", [
    "a='1'\r\nb_c='x y'\r\n",
    "a='1'\nb='2'",  # LF only, no final line end
    "a=''\r\n",
    "a='it's'\r\n",  # a quote inside: everything between the first and the last
    "a='1'\r\n\r\nb='2'\r\n",  # a blank line
    "a=bare\r\nb='q'\r\n",  # an unquoted value
    "a='unclosed\r\n",
    "",
])
def test_every_reply_reads_as_the_careful_reader_reads_it(text: str) -> None:
    assert wire.parse_pairs(text) == wire._parse_pairs_carefully(text)


def test_values_and_order_as_the_camera_sent_them() -> None:
    pairs = wire.parse_pairs("b='2'\r\na='1'\r\nc=plain\r\n\r\n")
    assert list(pairs.items()) == [("b", "2"), ("a", "1"), ("c", "plain")]


def test_a_line_that_is_no_pair_is_an_error_naming_the_line() -> None:
    with pytest.raises(ReplyError, match="reply line 2 is not"):
        wire.parse_pairs("a='1'\r\n<html>oops</html>\r\nb='2'\r\n")


def test_kept_reads_share_their_names() -> None:
    one = wire.shared_names(wire.parse_pairs("".join(["system_info_", "modelname='x'\r\n"])))
    two = wire.shared_names(wire.parse_pairs("".join(["system_info_model", "name='y'\r\n"])))
    assert next(iter(one)) is next(iter(two))
    assert one == {"system_info_modelname": "x"}
