"""An aiortc peer for the interop test: reads an offer on stdin (its SDP lines, then a line "."), writes the
answer the same way on stdout, sends a video test track, and after a few seconds prints one line
"stats <packets received> <video frames decoded> <connection state>" and exits."""

import asyncio
import sys

import aioice.ice

# aioice skips loopback addresses when gathering: the test runs on 127.0.0.1 only.
aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"]

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack  # noqa: E402


async def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    frames = {"video": 0}

    @pc.on("track")
    def on_track(track):
        async def consume():
            while True:
                try:
                    await track.recv()
                    frames[track.kind] = frames.get(track.kind, 0) + 1
                except Exception:
                    return

        asyncio.ensure_future(consume())

    lines = []
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if line == ".":
            break
        lines.append(line)
    offer = "\r\n".join(lines) + "\r\n"
    await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createAnswer())
    for line in pc.localDescription.sdp.splitlines():
        print(line)
    print(".", flush=True)

    await asyncio.sleep(seconds)
    packets = 0
    for s in (await pc.getStats()).values():
        if s.type == "inbound-rtp":
            packets += s.packetsReceived
    print(f"stats {packets} {frames['video']} {pc.connectionState}", flush=True)
    await pc.close()


asyncio.run(main())
