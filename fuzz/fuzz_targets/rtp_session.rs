//! Drives an RTP session core with arbitrary RTP and RTCP plaintext, protected with the peer's key so that
//! it passes SRTP and reaches demultiplexing, RTX unwrapping, the jitter buffers, depayloading and RTCP
//! handling, interleaved with frames written, timeouts, polls and transmissions. Nothing may panic, and
//! the session's own output must always unprotect with the peer's key.
#![no_main]

use std::time::{Duration, Instant};

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_api::session::{
    ReceiveCodec, ReceiveParams, Received, RtpSession, SendCodec, SendParams, SessionConfig, Transmit,
};
use ortc_rtp_packet::{ExtensionKind, ExtensionMap, Mid, PayloadType, Ssrc};
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig, SrtpProfile, SrtpSession};


const VP8: PayloadType = PayloadType::from_masked(96);
const VP8_RTX: PayloadType = PayloadType::from_masked(97);
const OPUS: PayloadType = PayloadType::from_masked(111);
fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let mut map = ExtensionMap::new();
    for (id, kind) in [
        (1, ExtensionKind::Mid),
        (2, ExtensionKind::AudioLevel),
        (3, ExtensionKind::TransportSequenceNumber),
        (4, ExtensionKind::AbsSendTime),
        (10, ExtensionKind::RtpStreamId),
        (11, ExtensionKind::RepairedRtpStreamId),
    ] {
        map.insert(id, kind).expect("distinct ids");
    }
    let mut session = RtpSession::new(SessionConfig::new("fuzz", map, (t0, NtpTime(1 << 40))));
    let material = [3u8; 56];
    let keys = |role| SessionKeys::from_dtls_exporter(SrtpProfile::AeadAes128Gcm, &material, role).expect("keys");
    session.set_keys(&keys(DtlsRole::Client), &SrtpConfig::default()).expect("keyed");
    // The peer: protects our input, unprotects our output.
    let mut peer = SrtpSession::new(&keys(DtlsRole::Server), &SrtpConfig::default()).expect("peer");

    let vp8 = SendCodec {
        payload_type: VP8,
        mime_type: "video/VP8".into(),
        clock_rate: 90_000,
        rtx_payload_type: Some(VP8_RTX),
        h264_packetization_mode_1: false,
    };
    let mut send = SendParams::new(MediaKind::Video, Ssrc::new(0x1111), vec![vp8]);
    send.rtx_ssrc = Some(Ssrc::new(0x1112));
    send.mid = Some(Mid::new("0").unwrap());
    let tx = session.add_sender(send).expect("sender");
    let video = ReceiveCodec {
        payload_type: VP8,
        mime_type: "video/VP8".into(),
        clock_rate: 90_000,
        rtx_payload_type: Some(VP8_RTX),
    };
    let mut recv = ReceiveParams::new(MediaKind::Video, vec![video], Ssrc::new(0x2222));
    recv.mid = Some(Mid::new("0").unwrap());
    let rx_video = session.add_receiver(recv).expect("video receiver");
    let opus = ReceiveCodec {
        payload_type: OPUS,
        mime_type: "audio/opus".into(),
        clock_rate: 48_000,
        rtx_payload_type: None,
    };
    let rx_audio = session
        .add_receiver(ReceiveParams::new(MediaKind::Audio, vec![opus], Ssrc::new(0x3333)))
        .expect("audio receiver");

    let mut now = t0;
    let mut out = BytesMut::with_capacity(2048);
    let mut rest = data;
    let mut frame_no = 0u32;
    while let [op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        rest = tail;
        match op % 8 {
            0 | 1 => {
                let mut p = BytesMut::from(chunk);
                if peer.outbound().protect_rtp(&mut p).is_ok() {
                    session.handle_rtp(now, &mut p);
                }
            }
            2 => {
                let mut p = BytesMut::from(chunk);
                if peer.outbound().protect_rtcp(&mut p).is_ok() {
                    session.handle_rtcp(now, &mut p);
                }
            }
            3 => {
                // Unprotected junk: must be refused and counted.
                let before = session.stats().srtp_rejected + session.stats().no_keys;
                let mut p = BytesMut::from(chunk);
                session.handle_rtp(now, &mut p);
                let s = session.stats();
                assert!(s.srtp_rejected + s.no_keys > before, "unauthenticated input accepted");
            }
            4 => {
                let mut frame = chunk.to_vec();
                if frame.is_empty() {
                    frame.push(0x10);
                }
                let _ = session.sender(tx).expect("sender").write_frame(now, VP8, frame_no * 3000, &frame);
                frame_no += 1;
            }
            5 => now += Duration::from_millis(u64::from(*len) * 4),
            6 => {
                session.handle_timeout(now);
                while session.poll_event().is_some() {}
            }
            _ => {
                for id in [rx_video, rx_audio] {
                    let mut r = session.receiver(id).expect("receiver");
                    while let Some(f) = r.poll(now) {
                        if let Received::Frame(f) = f {
                            assert!(!f.data.is_empty() || f.payload_type == OPUS);
                        }
                    }
                }
            }
        }
        while let Some(t) = session.poll_transmit(now, &mut out) {
            match t {
                Transmit::Rtp { .. } => peer.inbound().unprotect_rtp(&mut out).expect("our RTP unprotects"),
                Transmit::Rtcp { .. } => peer.inbound().unprotect_rtcp(&mut out).expect("our RTCP unprotects"),
            }
        }
    }
});
