"""An aiortc peer for the interop test. `aiortc_peer.py SECONDS answer` reads an offer on stdin (its SDP
lines, then a line "."), and writes the answer the same way on stdout; `aiortc_peer.py SECONDS offer` writes
an offer and reads the answer. Either way it sends a video test track, and after SECONDS prints one line
"stats <packets received> <video frames decoded> <connection state>" and exits."""

import asyncio
import sys

import aioice.ice

# aioice skips loopback addresses when gathering: the test runs on 127.0.0.1 only.
aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"]

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack  # noqa: E402


async def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
    mode = sys.argv[2] if len(sys.argv) > 2 else "answer"
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

    def read_sdp():
        lines = []
        for line in sys.stdin:
            line = line.rstrip("\r\n")
            if line == ".":
                break
            lines.append(line)
        return "\r\n".join(lines) + "\r\n"

    def write_sdp(sdp):
        for line in sdp.splitlines():
            print(line)
        print(".", flush=True)

    if mode == "offer":
        pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())
        write_sdp(pc.localDescription.sdp)
        await pc.setRemoteDescription(RTCSessionDescription(read_sdp(), "answer"))
    else:
        await pc.setRemoteDescription(RTCSessionDescription(read_sdp(), "offer"))
        pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        write_sdp(pc.localDescription.sdp)

    await asyncio.sleep(seconds)
    packets = 0
    for s in (await pc.getStats()).values():
        if s.type == "inbound-rtp":
            packets += s.packetsReceived
    print(f"stats {packets} {frames['video']} {pc.connectionState}", flush=True)
    await pc.close()


asyncio.run(main())
