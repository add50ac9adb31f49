//! One video packet through two RTP session cores, in memory on a fake clock: the sender packetizes a VP8
//! frame, protects it with AEAD-AES-128-GCM, the receiver unprotects it, routes it, and releases the frame.
//! Side by side with str0m 0.24.1 (two `Rtc` peers after a real ICE + DTLS handshake, frame API) and with
//! a bare `ortc_srtp` protect + unprotect of the same packet, so that the session's own cost (everything but
//! SRTP) can be read off. Results: `docs/benchmarks.md`.
//!
//! Both stacks are driven as a real driver would drive them: every step hands the current time to both
//! sides, moves every datagram (RTP one way, RTCP both ways) to the other side, and takes the released frame.
//! The clock advances 1 ms per frame.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)] // bench set-up

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_api::session::{
    ReceiveCodec, ReceiveParams, Received, ReceiverId, RtpSession, SendCodec, SendParams, SenderId, SessionConfig,
    Transmit,
};
use ortc_rtp_packet::{ExtensionKind, ExtensionMap, PayloadType, Ssrc};
use ortc_srtp::{DtlsRole, InboundSession, OutboundSession, SessionKeys, SrtpConfig, SrtpProfile};

use str0m::crypto::dtls::{
    DtlsCert, DtlsImplError, DtlsInstance, DtlsOutput, DtlsProvider, DtlsVersion, KeyingMaterial, ProtocolVersion,
    SrtpProfile as Str0mSrtpProfile,
};
use str0m::crypto::{CryptoError, CryptoProvider};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind as Str0mKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

const VP8: PayloadType = PayloadType::from_masked(96);
/// GCM authentication tag.
const TAG: usize = 16;
/// Frame sizes: one packet (1184 bytes on the wire, 1168 before the tag) and a frame both stacks cut into ten
/// such packets.
const SINGLE: usize = 1140;
const TEN: usize = 11_400;

/// A VP8 frame: a keyframe (P bit clear) or a delta frame, filled with a pattern.
fn vp8_frame(len: usize, keyframe: bool) -> Vec<u8> {
    let mut f: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    f[0] = if keyframe { 0x10 } else { 0x11 };
    f
}

// ---------------------------------------------------------------------------------------------------------
// ortc

struct OrtcPair {
    now: Instant,
    rtp_time: u32,
    a: RtpSession,
    b: RtpSession,
    tx: SenderId,
    rx: ReceiverId,
    buf: BytesMut,
    /// Where received datagrams land, one after another, as a driver's batched receive fills a slab: each
    /// is split off and handed to the core, whose jitter buffer may keep it.
    arena: BytesMut,
    /// Sizes of the last step's RTP datagrams.
    sizes: Vec<usize>,
}

/// A receive slab: 64 datagrams of up to 1 KiB more than the MTU.
const ARENA: usize = 64 * 2048;

impl OrtcPair {
    /// The datagram in `buf` as the receiving side's socket would hand it over: copied into the slab (a new
    /// slab when this one is full), split off.
    fn received(arena: &mut BytesMut, buf: &BytesMut) -> BytesMut {
        if arena.capacity() < 2048 {
            *arena = BytesMut::with_capacity(ARENA);
        }
        arena.extend_from_slice(buf);
        arena.split()
    }
}

fn extensions() -> ExtensionMap {
    let mut map = ExtensionMap::new();
    map.insert(1, ExtensionKind::Mid).unwrap();
    map.insert(3, ExtensionKind::TransportSequenceNumber).unwrap();
    map
}

fn keys(role: DtlsRole) -> SessionKeys {
    let material: Vec<u8> = (0..SrtpProfile::AeadAes128Gcm.keying_material_len() as u8).collect();
    SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, role).unwrap()
}

impl OrtcPair {
    fn new() -> Self {
        let now = Instant::now();
        let config = SessionConfig::new("bench", extensions(), (now, NtpTime(3_900_000_000 << 32)));
        let mut a = RtpSession::new(config.clone());
        let mut b = RtpSession::new(SessionConfig { seed: 99, ..config });
        a.set_keys(&keys(DtlsRole::Client), &SrtpConfig::default()).unwrap();
        b.set_keys(&keys(DtlsRole::Server), &SrtpConfig::default()).unwrap();
        let codec = SendCodec {
            payload_type: VP8,
            mime_type: "video/VP8".into(),
            clock_rate: 90_000,
            rtx_payload_type: None,
            h264_packetization_mode_1: false,
        };
        let mut send = SendParams::new(MediaKind::Video, Ssrc::new(0xA000), vec![codec]);
        send.mid = Some(ortc_rtp_packet::Mid::new("0").unwrap());
        let tx = a.add_sender(send).unwrap();
        let codec = ReceiveCodec {
            payload_type: VP8,
            mime_type: "video/VP8".into(),
            clock_rate: 90_000,
            rtx_payload_type: None,
        };
        let mut recv = ReceiveParams::new(MediaKind::Video, vec![codec], Ssrc::new(0xB0B));
        recv.mid = Some(ortc_rtp_packet::Mid::new("0").unwrap());
        let rx = b.add_receiver(recv).unwrap();
        let mut pair = Self {
            now,
            rtp_time: 0,
            a,
            b,
            tx,
            rx,
            buf: BytesMut::with_capacity(2048),
            arena: BytesMut::with_capacity(ARENA),
            sizes: Vec::with_capacity(64),
        };
        let key = vp8_frame(TEN, true);
        assert_eq!(pair.step(&key), key.len(), "ortc: the keyframe comes out");
        pair
    }

    fn timeouts(s: &mut RtpSession, now: Instant) {
        while s.poll_timeout().is_some_and(|(t, _)| t <= now) {
            s.handle_timeout(now);
            if s.poll_timeout().is_some_and(|(t, _)| t <= now) {
                break;
            }
        }
    }

    /// One frame from `a` to `b`; returns the released frame's length.
    fn step(&mut self, frame: &[u8]) -> usize {
        self.now += Duration::from_millis(1);
        self.rtp_time = self.rtp_time.wrapping_add(90);
        let now = self.now;
        self.sizes.clear();
        self.a
            .sender(self.tx)
            .unwrap()
            .write_frame(now, VP8, self.rtp_time, frame)
            .unwrap();
        Self::timeouts(&mut self.a, now);
        while let Some(t) = self.a.poll_transmit(now, &mut self.buf) {
            match t {
                Transmit::Rtp { len } => {
                    self.sizes.push(len);
                    self.b.handle_rtp(now, &mut Self::received(&mut self.arena, &self.buf));
                }
                Transmit::Rtcp { .. } => self.b.handle_rtcp(now, &mut Self::received(&mut self.arena, &self.buf)),
            }
        }
        let released = match self.b.receiver(self.rx).unwrap().poll(now) {
            Some(Received::Frame(f)) => f.data.len(),
            _ => 0,
        };
        while self.a.poll_event().is_some() {}
        while self.b.poll_event().is_some() {}
        Self::timeouts(&mut self.b, now);
        while let Some(t) = self.b.poll_transmit(now, &mut self.buf) {
            if matches!(t, Transmit::Rtcp { .. }) {
                self.a.handle_rtcp(now, &mut Self::received(&mut self.arena, &self.buf));
            }
        }
        released
    }

    /// One protected RTP packet of the given frame (header in clear, as the wire has it).
    fn protected_packet(&mut self, frame: &[u8]) -> Vec<u8> {
        self.now += Duration::from_millis(1);
        self.rtp_time = self.rtp_time.wrapping_add(90);
        self.a
            .sender(self.tx)
            .unwrap()
            .write_frame(self.now, VP8, self.rtp_time, frame)
            .unwrap();
        loop {
            match self.a.poll_transmit(self.now, &mut self.buf) {
                Some(Transmit::Rtp { .. }) => return self.buf.to_vec(),
                Some(Transmit::Rtcp { .. }) => {}
                None => panic!("no RTP packet"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// SRTP alone

/// Protect + unprotect of one packet, the part of the per-packet path that is SRTP's.
struct SrtpOnly {
    tx: OutboundSession,
    rx: InboundSession,
    plain: Vec<u8>,
    buf: BytesMut,
    seq: u16,
}

impl SrtpOnly {
    /// `packet` is a protected packet as the session sent it: its header (sent in clear) and length minus the
    /// tag give the same plaintext shape.
    fn new(packet: &[u8]) -> Self {
        let client = keys(DtlsRole::Client);
        let server = keys(DtlsRole::Server);
        Self {
            tx: OutboundSession::new(client.local(), &SrtpConfig::default()).unwrap(),
            rx: InboundSession::new(server.remote(), &SrtpConfig::default()).unwrap(),
            plain: packet[..packet.len() - TAG].to_vec(),
            buf: BytesMut::with_capacity(2048),
            seq: 0,
        }
    }

    fn step(&mut self) -> usize {
        self.seq = self.seq.wrapping_add(1);
        self.plain[2..4].copy_from_slice(&self.seq.to_be_bytes());
        self.buf.clear();
        self.buf.extend_from_slice(&self.plain);
        self.tx.protect_rtp(&mut self.buf).unwrap();
        self.rx.unprotect_rtp(&mut self.buf).unwrap();
        self.buf.len()
    }
}

// ---------------------------------------------------------------------------------------------------------
// str0m

/// str0m 0.24.1 offers every SRTP profile and prefers AEAD-AES-256-GCM, with no setting to choose. Both
/// peers wrap their DTLS instance so that the exported keying material is cut to AEAD-AES-128-GCM's layout
/// (first 16 bytes of each 32-byte key, the salts as they are) and announced as that profile: str0m then
/// builds AES-128-GCM SRTP contexts, which is what the measured path runs. The handshake itself is unchanged.
#[derive(Debug)]
struct Gcm128Dtls(&'static dyn DtlsProvider);

#[derive(Debug)]
struct Gcm128Instance(Box<dyn DtlsInstance>);

impl DtlsProvider for Gcm128Dtls {
    fn generate_certificate(&self) -> Option<DtlsCert> {
        self.0.generate_certificate()
    }

    fn new_dtls(
        &self,
        cert: &DtlsCert,
        now: Instant,
        dtls_version: DtlsVersion,
        mtu: Option<usize>,
    ) -> Result<Box<dyn DtlsInstance>, CryptoError> {
        Ok(Box::new(Gcm128Instance(self.0.new_dtls(
            cert,
            now,
            dtls_version,
            mtu,
        )?)))
    }
}

impl DtlsInstance for Gcm128Instance {
    fn set_active(&mut self, active: bool) {
        self.0.set_active(active);
    }

    fn handle_packet(&mut self, packet: &[u8]) -> Result<(), DtlsImplError> {
        self.0.handle_packet(packet)
    }

    fn poll_output<'a>(&mut self, buf: &'a mut [u8]) -> DtlsOutput<'a> {
        match self.0.poll_output(buf) {
            DtlsOutput::KeyingMaterial(km, profile) => {
                let km = if profile == Str0mSrtpProfile::AEAD_AES_256_GCM {
                    let (keys, salts) = km.split_at(64);
                    let mut cut = Vec::with_capacity(56);
                    cut.extend_from_slice(&keys[..16]);
                    cut.extend_from_slice(&keys[32..48]);
                    cut.extend_from_slice(salts);
                    KeyingMaterial::new(&cut)
                } else {
                    assert_eq!(
                        profile,
                        Str0mSrtpProfile::AEAD_AES_128_GCM,
                        "str0m: unexpected SRTP profile"
                    );
                    km
                };
                DtlsOutput::KeyingMaterial(km, Str0mSrtpProfile::AEAD_AES_128_GCM)
            }
            other => other,
        }
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), DtlsImplError> {
        self.0.handle_timeout(now)
    }

    fn send_application_data(&mut self, data: &[u8]) -> Result<(), DtlsImplError> {
        self.0.send_application_data(data)
    }

    fn is_active(&self) -> bool {
        self.0.is_active()
    }

    fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.0.protocol_version()
    }

    fn is_closing(&self) -> bool {
        self.0.is_closing()
    }

    fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    fn close(&mut self) -> Result<(), DtlsImplError> {
        self.0.close()
    }
}

fn str0m_crypto() -> Arc<CryptoProvider> {
    let mut provider = str0m::crypto::from_feature_flags();
    let dtls: &'static Gcm128Dtls = Box::leak(Box::new(Gcm128Dtls(provider.dtls_provider)));
    provider.dtls_provider = dtls;
    Arc::new(provider)
}

struct Str0mPair {
    now: Instant,
    media_time: u64,
    l: Rtc,
    r: Rtc,
    mid: Mid,
    pt: Pt,
    connected: u32,
    /// Sizes of the last step's datagrams from the sender.
    sizes: Vec<usize>,
}

impl Str0mPair {
    fn new() -> Self {
        let now = Instant::now();
        let crypto = str0m_crypto();
        let build = || {
            Rtc::builder()
                .set_crypto_provider(crypto.clone())
                .clear_codecs()
                .enable_vp8(true)
                // Datagrams of the size ortc sends: 1140 bytes of frame per packet, 1184 bytes on the wire.
                .set_mtu(1170..=1500)
                .build(now)
        };
        let (mut l, mut r) = (build(), build());
        let host_l: SocketAddr = (Ipv4Addr::new(1, 1, 1, 1), 1000).into();
        let host_r: SocketAddr = (Ipv4Addr::new(2, 2, 2, 2), 2000).into();
        l.add_local_candidate(Candidate::host(host_l, "udp").unwrap());
        r.add_local_candidate(Candidate::host(host_r, "udp").unwrap());
        let mut change = l.sdp_api();
        let mid = change.add_media(Str0mKind::Video, Direction::SendOnly, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        let answer = r.sdp_api().accept_offer(offer).unwrap();
        l.sdp_api().accept_answer(pending, answer).unwrap();
        let pt = l.codec_config().find(|p| p.spec().codec == Codec::Vp8).unwrap().pt();
        let mut pair = Self {
            now,
            media_time: 0,
            l,
            r,
            mid,
            pt,
            connected: 0,
            sizes: Vec::with_capacity(64),
        };
        for _ in 0..5000 {
            pair.now += Duration::from_millis(1);
            pair.pump();
            if pair.connected == 2 {
                break;
            }
        }
        assert_eq!(pair.connected, 2, "str0m: both peers connect");
        let key = vp8_frame(TEN, true);
        let mut released = pair.step(&key);
        for _ in 0..10 {
            if released != 0 {
                break;
            }
            pair.now += Duration::from_millis(1);
            released = pair.pump();
        }
        assert_eq!(released, key.len(), "str0m: the keyframe comes out");
        pair
    }

    /// Moves everything due at `now` between the two; returns the length of a released frame.
    fn pump(&mut self) -> usize {
        let now = self.now;
        self.l.handle_input(Input::Timeout(now)).unwrap();
        self.r.handle_input(Input::Timeout(now)).unwrap();
        let mut released = 0;
        loop {
            let mut moved = false;
            loop {
                match self.l.poll_output().unwrap() {
                    Output::Timeout(_) => break,
                    Output::Transmit(t) => {
                        moved = true;
                        self.sizes.push(t.contents.len());
                        let input = Input::Receive(
                            now,
                            Receive {
                                proto: Protocol::Udp,
                                source: t.source,
                                destination: t.destination,
                                contents: (&t.contents[..]).try_into().unwrap(),
                            },
                        );
                        self.r.handle_input(input).unwrap();
                    }
                    Output::Event(Event::Connected) => self.connected += 1,
                    Output::Event(_) => {}
                }
            }
            loop {
                match self.r.poll_output().unwrap() {
                    Output::Timeout(_) => break,
                    Output::Transmit(t) => {
                        moved = true;
                        let input = Input::Receive(
                            now,
                            Receive {
                                proto: Protocol::Udp,
                                source: t.source,
                                destination: t.destination,
                                contents: (&t.contents[..]).try_into().unwrap(),
                            },
                        );
                        self.l.handle_input(input).unwrap();
                    }
                    Output::Event(Event::Connected) => self.connected += 1,
                    Output::Event(Event::MediaData(m)) => released += m.data.len(),
                    Output::Event(_) => {}
                }
            }
            if !moved {
                return released;
            }
        }
    }

    /// One frame from `l` to `r`; returns the released frame's length.
    fn step(&mut self, frame: &[u8]) -> usize {
        self.now += Duration::from_millis(1);
        self.media_time += 90;
        self.sizes.clear();
        let time = MediaTime::from_90khz(self.media_time);
        self.l
            .writer(self.mid)
            .unwrap()
            .write(self.pt, self.now, time, frame)
            .unwrap();
        self.pump()
    }
}

// ---------------------------------------------------------------------------------------------------------

fn bench_frame(c: &mut Criterion, name: &str, len: usize) {
    let frame = vp8_frame(len, false);

    let mut ortc = OrtcPair::new();
    assert_eq!(ortc.step(&frame), len, "ortc: a delta frame comes out at once");
    let ortc_sizes = ortc.sizes.clone();
    let mut str0m = Str0mPair::new();
    assert_eq!(str0m.step(&frame), len, "str0m: a delta frame comes out at once");
    let str0m_sizes = str0m.sizes.clone();
    let packets = ortc_sizes.len();
    eprintln!("{name}: {len}-byte frame; ortc datagrams {ortc_sizes:?}, str0m datagrams {str0m_sizes:?}");
    assert_eq!(
        str0m_sizes.len(),
        packets,
        "both stacks cut the frame into as many packets"
    );

    let mut group = c.benchmark_group(format!("session/{name}"));
    group.throughput(Throughput::Elements(packets as u64));
    group.bench_function("ortc", |b| b.iter(|| black_box(ortc.step(black_box(&frame)))));
    group.bench_function("str0m", |b| b.iter(|| black_box(str0m.step(black_box(&frame)))));
    // SRTP alone: as many protect + unprotect as the frame has packets, each the size ortc sent, with the
    // header of a packet ortc sent (from a pair of its own, so the measured pair sees no gap).
    let sent = OrtcPair::new().protected_packet(&frame[..frame.len() / packets]);
    let mut srtp: Vec<SrtpOnly> = ortc_sizes.iter().map(|_| SrtpOnly::new(&sent)).collect();
    for (s, &size) in srtp.iter_mut().zip(&ortc_sizes) {
        s.plain.resize(size - TAG, 0xA5);
    }
    group.bench_function("srtp-only", |b| {
        b.iter(|| srtp.iter_mut().map(SrtpOnly::step).sum::<usize>());
    });
    group.finish();

    // Every step of the runs above released its frame at once, on both stacks.
    for _ in 0..200 {
        assert_eq!(ortc.step(&frame), len, "ortc: each frame comes out in its step");
        assert_eq!(str0m.step(&frame), len, "str0m: each frame comes out in its step");
    }
}

fn session(c: &mut Criterion) {
    bench_frame(c, "1-packet-frame", SINGLE);
    bench_frame(c, "10-packet-frame", TEN);
}

criterion_group!(benches, session);
criterion_main!(benches);
