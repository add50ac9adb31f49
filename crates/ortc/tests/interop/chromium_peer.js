// A Chromium peer for the interop test, driven by playwright-core (path in ORTC_PLAYWRIGHT_CORE).
// `node chromium_peer.js SECONDS`: Chromium offers its fake camera (the offer's SDP lines on stdout, then a
// line "."), reads the answer the same way on stdin, and after SECONDS prints one line
// "stats <video packets received> <video frames decoded> <connection state>" and exits.
// Run it inside a network namespace whose only interface is lo (see the test).

const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { chromium } = require(process.env.ORTC_PLAYWRIGHT_CORE);

async function main() {
  const seconds = Number(process.argv[2] || 4);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ortc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection'],
  });
  const page = context.pages()[0] || await context.newPage();
  // a secure context (localhost) for getUserMedia, served by playwright itself
  await page.route('http://localhost/**', (route) => route.fulfill({ contentType: 'text/html', body: '<html></html>' }));
  await page.goto('http://localhost/');
  const offer = await page.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.pc = pc;
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 3000);
    });
    return pc.localDescription.sdp;
  });
  process.stdout.write(offer.trimEnd().split(/\r?\n/).join('\n') + '\n.\n');

  const lines = [];
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === '.') break;
    lines.push(line.trimEnd());
  }
  const answer = lines.join('\r\n') + '\r\n';
  await page.evaluate(async (sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const [packets, decoded, state] = await page.evaluate(async () => {
    let packets = 0;
    let decoded = 0;
    (await window.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        packets += s.packetsReceived || 0;
        decoded += s.framesDecoded || 0;
      }
    });
    return [packets, decoded, window.pc.connectionState];
  });
  process.stdout.write(`stats ${packets} ${decoded} ${state}\n`);
  // Chromium may take its time to shut down in a namespace without D-Bus: wait 2 s at most.
  await Promise.race([context.close(), new Promise((r) => setTimeout(r, 2000))]);
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
