#!/usr/bin/env python3
"""The io task alone, for bench/bookkeeping.py: what the runner's task costs without the runner.

Same command line shape as runners/python/runner.py (--approach, --tasks, --io-ms) and the same task
body, nothing else: no stamps, no window, no document. Written for bench/, never shipped in an image.

    python3 bench/bare/bare.py --approach asyncio --tasks 100000 --io-ms 10000
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait


async def _io_task(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _asyncio(tasks: int, seconds: float) -> None:
    pending = [asyncio.create_task(_io_task(seconds)) for _ in range(tasks)]
    await asyncio.gather(*pending)


def _threading(tasks: int, seconds: float) -> None:
    threads = [threading.Thread(target=time.sleep, args=(seconds,)) for _ in range(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _threadpool(tasks: int, seconds: float, pool_size: int) -> None:
    with ThreadPoolExecutor(pool_size) as executor:
        futures = [executor.submit(time.sleep, seconds) for _ in range(tasks)]
        wait(futures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approach", required=True, choices=("asyncio", "threading", "threadpool"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--io-ms", type=float, default=10.0)
    parser.add_argument("--pool-size", type=int, default=50)
    args = parser.parse_args()
    seconds = args.io_ms / 1000
    if args.approach == "asyncio":
        asyncio.run(_asyncio(args.tasks, seconds))
    elif args.approach == "threading":
        _threading(args.tasks, seconds)
    else:
        _threadpool(args.tasks, seconds, args.pool_size)


if __name__ == "__main__":
    main()
