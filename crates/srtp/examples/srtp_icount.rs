//! Runs N protects or unprotects of 1200-byte RTP packets through one implementation, with the packet work in
//! a single function (`measured_loop`) so that an instruction counter can count exactly that part:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='*measured_loop*' \
//!     target/release/examples/srtp_icount ortc unprotect AEAD_AES_128_GCM 2000 [SIZE]
//! ```
//!
//! SIZE is the RTP packet size in bytes (default 1200; 12..=1400).
//!
//! `cargo xtask icount srtp` runs every combination and prints instructions per packet and the ortc/raw ratio.
//! Implementations: `ortc` (ortc-srtp), `raw` (the same libsrtp2 called through `srtp2-sys`), `webrtc-srtp`.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use std::hint::black_box;
use std::process::ExitCode;

use bytes::BytesMut;
use ortc_srtp::{InboundSession, MasterKey, OutboundSession, SrtpConfig, SrtpProfile};

#[path = "../benches/common/raw.rs"]
mod raw;
use raw::{Raw, WINDOW};

/// The `i`-th plaintext packet of `len` bytes: sequence number `i + 1`, fixed SSRC.
fn plaintext(i: usize, len: usize) -> BytesMut {
    let mut p = BytesMut::with_capacity(len + 64);
    p.extend_from_slice(&[0x80, 96, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    p.resize(len, 0xA5);
    p[2..4].copy_from_slice(&((i + 1) as u16).to_be_bytes());
    p
}

#[inline(never)]
fn measured_loop(packets: &mut [BytesMut], work: &mut dyn FnMut(&mut BytesMut)) {
    for p in packets.iter_mut() {
        work(p);
    }
    black_box(packets);
}

fn webrtc_context(key: &MasterKey) -> webrtc_srtp::context::Context {
    use webrtc_srtp::protection_profile::ProtectionProfile as P;
    let profile = match key.profile() {
        SrtpProfile::Aes128CmHmacSha1_80 => P::Aes128CmHmacSha1_80,
        SrtpProfile::Aes128CmHmacSha1_32 => P::Aes128CmHmacSha1_32,
        SrtpProfile::AeadAes128Gcm => P::AeadAes128Gcm,
        _ => P::AeadAes256Gcm,
    };
    let replay = webrtc_srtp::option::srtp_replay_protection(WINDOW.into());
    webrtc_srtp::context::Context::new(key.key(), key.salt(), profile, Some(replay), None).expect("context")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (implementation, op, profile, count, size) = match args.as_slice() {
        [i, o, p, n] => (i, o, p, n, "1200"),
        [i, o, p, n, size] => (i, o, p, n, size.as_str()),
        _ => {
            eprintln!("usage: srtp_icount <ortc|raw|webrtc-srtp> <protect|unprotect> <PROFILE> <N> [SIZE]");
            return ExitCode::from(2);
        }
    };
    let Some(size) = size.parse::<usize>().ok().filter(|s| (12..=1400).contains(s)) else {
        eprintln!("SIZE must be 12..=1400");
        return ExitCode::from(2);
    };
    let Some(profile) = SrtpProfile::from_name(profile) else {
        eprintln!(
            "unknown profile {profile}; known: {:?}",
            SrtpProfile::ALL.map(SrtpProfile::name)
        );
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("N must be a number");
        return ExitCode::from(2);
    };
    let key_bytes: Vec<u8> = (0..profile.master_key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.master_salt_len() as u8).map(|b| b ^ 0x5C).collect();
    let key = MasterKey::new(profile, &key_bytes, &salt).expect("key");
    let config = SrtpConfig::default().with_replay_window(WINDOW);
    // Also initialises libsrtp, which `Raw` relies on.
    let mut sender = OutboundSession::new(&key, &config).expect("outbound session");

    let mut packets: Vec<BytesMut> = (0..count).map(|i| plaintext(i, size)).collect();
    if op == "unprotect" {
        for p in &mut packets {
            sender.protect_rtp(p).expect("protect");
        }
    } else if op != "protect" {
        eprintln!("op must be protect or unprotect");
        return ExitCode::from(2);
    }
    let protect = op == "protect";

    let mut work: Box<dyn FnMut(&mut BytesMut)> = match implementation.as_str() {
        "ortc" if protect => {
            let mut s = OutboundSession::new(&key, &config).expect("session");
            Box::new(move |p| s.protect_rtp(p).expect("protect"))
        }
        "ortc" => {
            let mut s = InboundSession::new(&key, &config).expect("session");
            Box::new(move |p| s.unprotect_rtp(p).expect("unprotect"))
        }
        "raw" => {
            let mut s = Raw::new(&key, !protect);
            let trailer = profile.rtp_trailer_len();
            Box::new(move |p| {
                let len = p.len();
                if protect {
                    p.resize(len + trailer, 0);
                    let n = s.protect(p, len);
                    p.truncate(n);
                } else {
                    let n = s.unprotect(p);
                    p.truncate(n);
                }
            })
        }
        "webrtc-srtp" => {
            let mut ctx = webrtc_context(&key);
            Box::new(move |p| {
                let out = if protect {
                    ctx.encrypt_rtp(p)
                } else {
                    ctx.decrypt_rtp(p)
                };
                black_box(out.expect("webrtc-srtp"));
            })
        }
        other => {
            eprintln!("unknown implementation {other}");
            return ExitCode::from(2);
        }
    };
    measured_loop(&mut packets, &mut *work);
    let total: usize = packets.iter().map(BytesMut::len).sum();
    println!("{implementation} {op} {profile}: {count} packets, {total} bytes left in the buffers");
    ExitCode::SUCCESS
}
