"""Decoding an upload stays within the memory budget: each check runs in a child process of its own, which
reports the most memory it ever held, so the figure is the decoding's, not the test run's.

The peak is the kernel's ``VmHWM`` (the high-water mark of the process's resident memory), not
``getrusage().ru_maxrss``: Linux carries ``ru_maxrss`` over from the parent across fork and exec, so a child
of this test process would start at the test run's own peak."""

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024

CHILD = """
import sys
from blog.services import images

def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # kilobytes

data = open(sys.argv[1], "rb").read()
budget = int(sys.argv[2])
before = peak()
try:
    decoded = images.decode(data, budget=budget)
    outcome = f"ok {decoded.width}x{decoded.height}"
except images.PictureError as error:
    outcome = "refused: " + str(error)
print(before, peak(), outcome, sep="\\n")
"""


def png(path: Path, width: int, height: int, color_type: int = 0) -> Path:
    """A valid PNG of any size, written row by row (never held whole): zeros compress a thousandfold."""
    row = b"\x00" + bytes(width * {0: 1, 2: 3, 6: 4}[color_type])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def decode_in_child(path: Path, budget: int = 6_000_000) -> tuple[int, int, str]:
    """(peak memory after the imports, peak memory at the end, outcome) of a process that decodes ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(budget)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    before, after, outcome = done.stdout.strip().split("\n", 2)
    return int(before), int(after), outcome


@pytest.mark.parametrize(
    ("size", "color_type"),
    [
        ((20_000, 20_000), 0),  # a PNG bomb: 400 megapixels in a few hundred kilobytes
        ((20_000, 1_500), 2),  # a 20,000 px panorama
        ((6_300, 6_300), 6),  # the 6,300 px PNG (582 MB of worker memory before)
    ],
)
def test_too_many_pixels_are_refused_within_the_memory_budget(tmp_path, size, color_type):
    path = png(tmp_path / "bomb.png", *size, color_type)
    assert path.stat().st_size < 2 * MB
    _, peak, outcome = decode_in_child(path)
    assert outcome.startswith("refused: That image has too many pixels"), outcome
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"


def test_a_20000_px_jpeg_is_refused_within_the_memory_budget(tmp_path):
    """A JPEG header that names 20,000 x 20,000 px (the scan data cut short: the header is all that is read)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")  # start of frame: precision, then height and width
    data[sof + 5 : sof + 9] = struct.pack(">HH", 20_000, 20_000)
    path = tmp_path / "huge.jpg"
    path.write_bytes(bytes(data))
    _, peak, outcome = decode_in_child(path)
    assert outcome.startswith("refused: That image has too many pixels"), outcome
    assert peak < 100 * MB, f"{peak / MB:.0f} MB"


@pytest.mark.parametrize("color_type", [2, 6])
def test_the_largest_accepted_picture_decodes_within_the_budget(tmp_path, color_type):
    """At the pixel budget (6 MP), with and without transparency: decoding and resizing add under 100 MB."""
    path = png(tmp_path / "large.png", 2_449, 2_449, color_type)
    before, peak, outcome = decode_in_child(path)
    assert outcome == "ok 2048x2048"
    assert peak - before < 100 * MB, f"{(peak - before) / MB:.0f} MB"


def test_the_measurement_sees_a_decode_without_the_budget(tmp_path):
    """The check above can fail: the same 6,300 px PNG, decoded with the budget lifted, takes far more."""
    path = png(tmp_path / "large.png", 6_300, 6_300, 2)
    before, peak, outcome = decode_in_child(path, budget=10**9)
    assert outcome == "ok 2048x2048"
    assert peak - before > 150 * MB, f"{(peak - before) / MB:.0f} MB"
