"""The one id scheme (services/common/clock.py): ids that sort by time, never collide, and
read as MongoDB's ObjectIds, without the database's own package."""

import os
import re
from datetime import datetime, timedelta, timezone

from services.common.clock import derived_id, new_id


def test_ids_are_24_hex_digits_unique_and_in_the_order_they_were_made():
    made = [new_id() for _ in range(50_000)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", id_) for id_ in made)
    assert len(set(made)) == len(made)
    # Keyset pagination reads newest-first by id. (Within one second the counter orders them;
    # it wraps once in 16.7 million, as MongoDB's own does: a few ids keep the test exact.)
    assert sorted(made[:1000]) == made[:1000]


def test_an_id_carries_the_second_it_was_made():
    before = int(datetime.now(timezone.utc).timestamp())
    seconds = int(new_id()[:8], 16)
    assert before <= seconds <= before + 2


def test_a_forked_process_draws_its_own_ids():
    reader, writer = os.pipe()
    parent_id = new_id()
    child = os.fork()
    if child == 0:
        os.write(writer, new_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    child_id = os.read(reader, 24).decode()
    # The random middle (bytes 4–8) is the process's own: gunicorn's workers are forks.
    assert child_id[8:18] != parent_id[8:18]


def test_a_derived_id_is_the_same_for_the_same_seed_and_number_and_sorts_with_its_time():
    at = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
    assert derived_id(at, "broadcast-1", 7) == derived_id(at, "broadcast-1", 7)
    assert derived_id(at, "broadcast-1", 7) != derived_id(at, "broadcast-1", 8)
    assert derived_id(at, "broadcast-1", 9) < derived_id(at + timedelta(seconds=1), "broadcast-1", 0)
