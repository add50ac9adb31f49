"""An aioice ICE agent for interop tests, driven over stdin/stdout with a line protocol.

argv[1] is "controlling" or "controlled". It prints "ufrag U", "pwd P", "cand SDP"... "end", reads the same
from stdin, connects, prints "connected", echoes one datagram back, prints "echoed" and exits.
Only 127.0.0.1 is used: aioice skips loopback when gathering, so its address lookup is replaced.
"""

import asyncio
import sys

import aioice
import aioice.ice

aioice.ice.get_host_addresses = lambda *args, **kwargs: ["127.0.0.1"]


async def main() -> None:
    loop = asyncio.get_running_loop()
    conn = aioice.Connection(ice_controlling=sys.argv[1] == "controlling", use_ipv6=False)
    await conn.gather_candidates()
    print(f"ufrag {conn.local_username}")
    print(f"pwd {conn.local_password}")
    for c in conn.local_candidates:
        print(f"cand {c.to_sdp()}")
    print("end", flush=True)

    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if not line or line == "end":
            break
        key, _, value = line.partition(" ")
        if key == "ufrag":
            conn.remote_username = value
        elif key == "pwd":
            conn.remote_password = value
        elif key == "cand":
            await conn.add_remote_candidate(aioice.Candidate.from_sdp(value))
    await conn.add_remote_candidate(None)

    await asyncio.wait_for(conn.connect(), 15)
    print("connected", flush=True)
    data = await asyncio.wait_for(conn.recv(), 15)
    await conn.send(data)
    print("echoed", flush=True)
    await asyncio.sleep(1)
    await conn.close()


asyncio.run(main())
