"""What an upload costs: a 5 MB image (a PNG of noise, a JPEG photo) through the gateway (streamed to GridFS, sniffed,
decoded, written again without EXIF, thumbnailed) against a bare GridFS put of the same
bytes from this process; a GIF of one 2000 × 2000 frame and 60 one-pixel frames (issue 21:
15 s of a worker's CPU) against a plain GIF of the same canvas, goal at most 1.5 ×; and the
gateway workers' peak memory while 8 clients upload a 10 MB file each at once.

    .venv/bin/python -m bench.attachments [--rounds 15]

The stack is the bench's (bench/stack.py): every Procfile process, a virtual host and a
database of the run's own (MONGO_URI's server, or an embedded SecantusDB).
"""

import argparse
import io
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from PIL import Image
from pymongo import MongoClient

from bench.stack import Stack
from services.common import attachment_files
from tests.fixtures.hostile_images import gif_with_pixel_frames

CLIENTS = 8
GOAL_FRAMES = "GIF of 2000 × 2000 and 60 one-pixel frames: median ≤ 1.5 × a 1-frame GIF of the same canvas"


def noise_png(side: int = 1300) -> bytes:
    """About 5 MB: noise does not compress (the worst case of a PNG: zlib gains nothing)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def photo_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """About 5.8 MB: a 12-megapixel phone photo's size and grain (smooth shapes, sensor noise)."""
    shapes = Image.frombytes("RGB", (width // 8, height // 8), os.urandom(width * height * 3 // 64))
    grain = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    Image.blend(shapes.resize((width, height), Image.BICUBIC), grain, 0.15).save(out, "JPEG", quality=90)
    return out.getvalue()


def large_pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


def upload(stack, token, name, data, status=201):
    started = time.perf_counter()
    answer = requests.post(
        stack.url + "/v1/uploads",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, data)},
        timeout=120,
    )
    assert answer.status_code == status, answer.text
    return time.perf_counter() - started


def frames_against_one(stack, token, rounds: int) -> dict:
    """Medians of the frame bomb (refused now, 422), the same canvas as one frame (taken), and,
    for the record, an animation at the pixel limit (10 frames of 2000 × 2000: taken)."""
    plain, bomb, at_limit = gif_with_pixel_frames(0), gif_with_pixel_frames(60), gif_with_pixel_frames(9)
    upload(stack, token, "warm.gif", plain)
    times = {"one frame": [], "60 frames": [], "10 frames (at the limit)": []}
    for _ in range(rounds):  # turn about, so each meets the same machine
        times["one frame"].append(upload(stack, token, "plain.gif", plain))
        times["60 frames"].append(upload(stack, token, "bomb.gif", bomb, status=422))
        times["10 frames (at the limit)"].append(upload(stack, token, "limit.gif", at_limit))
    return {kind: statistics.median(taken) for kind, taken in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    images = {"PNG of noise": noise_png(), "JPEG photo": photo_jpeg()}
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(Path(work))
        try:
            stack.start()
            token = stack.token("bench-customer", "customer", name="Bench")
            bucket = attachment_files.bucket(MongoClient(stack.mongo_uri)[stack.db_name])
            medians = {}
            for kind, image in images.items():
                upload(stack, token, "warm", image)
                system, floor = [], []
                for _ in range(rounds):  # turn about, so both meet the same machine
                    system.append(upload(stack, token, "upload", image))
                    started = time.perf_counter()
                    bucket.upload_from_stream("floor", image)
                    floor.append(time.perf_counter() - started)
                medians[kind] = (len(image), statistics.median(system), statistics.median(floor))
            gifs = frames_against_one(stack, token, rounds)
            before = stack.peak_memory()
            document = large_pdf(10 * 1024 * 1024 - 1024)
            with ThreadPoolExecutor(CLIENTS) as clients:
                took = list(clients.map(lambda n: upload(stack, token, f"big-{n}.pdf", document), range(CLIENTS)))
            after = stack.peak_memory()
        finally:
            stack.stop()
    for kind, (size, median_system, median_floor) in medians.items():
        print(
            f"{kind} ({size:,} bytes), {rounds} rounds: upload median {median_system * 1000:.0f} ms, "
            f"bare GridFS put median {median_floor * 1000:.0f} ms: {median_system / median_floor:.1f} x"
        )
    for kind, median in gifs.items():
        print(f"GIF of 2000 × 2000, {kind}, {rounds} rounds: upload median {median * 1000:.0f} ms")
    print(f"{CLIENTS} clients uploading {len(document):,} bytes each at once: slowest {max(took):.2f} s")
    for name in sorted(after):
        if name.startswith("gateway"):
            print(f"  {name}: peak {before.get(name, 0):.0f} MiB before, {after[name]:.0f} MiB after")
    print("", "goals:", sep="\n")
    for goal in goals(gifs):
        print(f"  {'met   ' if goal['met'] else 'MISSED'}  {goal['goal']}: {goal['figure']}")


def goals(gifs: dict) -> list[dict]:
    """Each goal, as bench/run.py judges its own: the figure and whether it is met."""
    ratio = round(gifs["60 frames"] / gifs["one frame"], 2)
    return [{"goal": GOAL_FRAMES, "figure": ratio, "met": ratio <= 1.5}]


if __name__ == "__main__":
    main()
