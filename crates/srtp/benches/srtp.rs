//! Protect and unprotect of 1200-byte RTP packets, per profile: ortc-srtp against raw libsrtp2 calls (the
//! floor for a wrapper) and webrtc-rs's `webrtc-srtp`, in the same run. Results: `docs/benchmarks.md`.
//!
//! Every implementation sees the same packets: protect copies a 1200-byte plaintext into the working buffer
//! and bumps the sequence number each iteration; unprotect gets a fresh protected packet per iteration (made
//! outside the timed part) so replay checks pass. All replay windows are 1024.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ortc_srtp::{InboundSession, MasterKey, OutboundSession, SrtpConfig, SrtpProfile};
use webrtc_srtp::context::Context;
use webrtc_srtp::option::srtp_replay_protection;
use webrtc_srtp::protection_profile::ProtectionProfile;

#[path = "common/raw.rs"]
mod raw;
use raw::{Raw, WINDOW};

const PACKET_LEN: usize = 1200;

fn plaintext() -> Vec<u8> {
    let mut p = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
    p.resize(PACKET_LEN, 0xA5);
    p
}

fn set_seq(packet: &mut [u8], seq: u16) {
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
}

fn theirs(profile: SrtpProfile, key: &MasterKey) -> Context {
    let p = match profile {
        SrtpProfile::Aes128CmHmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        SrtpProfile::Aes128CmHmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        SrtpProfile::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        _ => ProtectionProfile::AeadAes256Gcm,
    };
    Context::new(
        key.key(),
        key.salt(),
        p,
        Some(srtp_replay_protection(WINDOW.into())),
        None,
    )
    .expect("context")
}

/// Yields protected packets with increasing sequence numbers, for unprotect benches.
struct Source {
    tx: OutboundSession,
    plain: Vec<u8>,
    seq: u16,
}

impl Source {
    fn next(&mut self) -> BytesMut {
        self.seq = self.seq.wrapping_add(1);
        set_seq(&mut self.plain, self.seq);
        let mut p = BytesMut::with_capacity(PACKET_LEN + 64);
        p.extend_from_slice(&self.plain);
        self.tx.protect_rtp(&mut p).expect("protect");
        p
    }
}

fn bench_profile(c: &mut Criterion, profile: SrtpProfile) {
    let key_bytes: Vec<u8> = (0..profile.master_key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.master_salt_len() as u8).map(|b| b ^ 0x5C).collect();
    let key = MasterKey::new(profile, &key_bytes, &salt).expect("key");
    let config = SrtpConfig::default().with_replay_window(WINDOW);
    let source = || Source {
        tx: OutboundSession::new(&key, &config).expect("tx"),
        plain: plaintext(),
        seq: 0,
    };

    let mut group = c.benchmark_group(format!("protect/{profile}"));
    group.throughput(Throughput::Bytes(PACKET_LEN as u64));
    {
        let mut tx = OutboundSession::new(&key, &config).expect("tx");
        let mut plain = plaintext();
        let mut buf = BytesMut::with_capacity(PACKET_LEN + 64);
        let mut seq = 0u16;
        group.bench_function("ortc", |b| {
            b.iter(|| {
                seq = seq.wrapping_add(1);
                set_seq(&mut plain, seq);
                buf.clear();
                buf.extend_from_slice(&plain);
                tx.protect_rtp(&mut buf).expect("protect");
                black_box(buf.len())
            });
        });
    }
    {
        let mut raw = Raw::new(&key, false);
        let mut plain = plaintext();
        let mut buf = [0u8; PACKET_LEN + 64];
        let mut seq = 0u16;
        group.bench_function("libsrtp2-raw", |b| {
            b.iter(|| {
                seq = seq.wrapping_add(1);
                set_seq(&mut plain, seq);
                buf[..PACKET_LEN].copy_from_slice(&plain);
                black_box(raw.protect(&mut buf, PACKET_LEN))
            });
        });
    }
    {
        let mut ctx = theirs(profile, &key);
        let mut plain = plaintext();
        let mut seq = 0u16;
        group.bench_function("webrtc-srtp", |b| {
            b.iter(|| {
                seq = seq.wrapping_add(1);
                set_seq(&mut plain, seq);
                black_box(ctx.encrypt_rtp(&plain).expect("encrypt"))
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("unprotect/{profile}"));
    group.throughput(Throughput::Bytes(PACKET_LEN as u64));
    {
        let mut rx = InboundSession::new(&key, &config).expect("rx");
        let mut src = source();
        group.bench_function("ortc", |b| {
            b.iter_batched(
                || src.next(),
                |mut p| {
                    rx.unprotect_rtp(&mut p).expect("unprotect");
                    p
                },
                BatchSize::SmallInput,
            );
        });
    }
    {
        let mut raw = Raw::new(&key, true);
        let mut src = source();
        group.bench_function("libsrtp2-raw", |b| {
            b.iter_batched(
                || src.next(),
                |mut p| {
                    let n = raw.unprotect(&mut p);
                    p.truncate(n);
                    p
                },
                BatchSize::SmallInput,
            );
        });
    }
    {
        let mut ctx = theirs(profile, &key);
        let mut src = source();
        group.bench_function("webrtc-srtp", |b| {
            b.iter_batched(
                || src.next(),
                |p| ctx.decrypt_rtp(&p).expect("decrypt"),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    for profile in SrtpProfile::ALL.into_iter().rev() {
        bench_profile(c, profile);
    }
}

criterion_group! {
    name = srtp;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(srtp);
