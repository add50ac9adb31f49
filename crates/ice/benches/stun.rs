//! ortc-ice's STUN against webrtc-rs `stun` 0.17.2, in the same run: a connectivity check as a browser sends
//! it (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT), parsed and read,
//! then also FINGERPRINT- and MESSAGE-INTEGRITY-verified, which is what an ICE agent does with each request.
//!
//! Run with `cargo bench -p ortc-ice --bench stun`; ratios go to `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ortc_ice::stun::{Class, Message, MessageBuilder, Method, TransactionId};
use webrtc_stun::attributes::{ATTR_PRIORITY, ATTR_USERNAME};
use webrtc_stun::fingerprint::FINGERPRINT;
use webrtc_stun::integrity::MessageIntegrity;
use webrtc_stun::message::Message as WebrtcMessage;
use webrtc_stun::textattrs::TextAttribute;

const PASSWORD: &str = "asd88fgpdd777uzjYhagZg";

/// A Binding request like Chromium's nominating check.
fn request() -> Vec<u8> {
    let mut buf = [0u8; 256];
    let tid = TransactionId([0x4a, 0x1f, 0x33, 0x90, 0x0b, 0xc2, 0x7e, 0x55, 0x12, 0x6d, 0xa8, 0x01]);
    // invariant: the attributes fit in 256 bytes.
    let mut b = MessageBuilder::new(&mut buf, Method::BINDING, Class::Request, tid).expect("buffer");
    b.username("Gsd1:9Kf3")
        .and_then(|b| b.priority(0x6e7f_1eff))
        .and_then(|b| b.ice_controlling(0x1234_5678_9abc_def0))
        .and_then(|b| b.use_candidate())
        .and_then(|b| b.message_integrity(PASSWORD.as_bytes()))
        .and_then(|b| b.fingerprint())
        .expect("fits");
    let len = b.finish();
    buf[..len].to_vec()
}

/// Parse and read USERNAME and PRIORITY.
fn ortc_read(datagram: &[u8]) -> Option<(usize, u32)> {
    let m = Message::parse(datagram).ok()?;
    Some((m.username()?.len(), m.priority()?))
}

/// Parse, verify FINGERPRINT and MESSAGE-INTEGRITY, read USERNAME and PRIORITY.
fn ortc_verify(datagram: &[u8]) -> Option<(usize, u32)> {
    let m = Message::parse(datagram).ok()?;
    m.verify_fingerprint().ok()?;
    m.verify_integrity(PASSWORD.as_bytes()).ok()?;
    Some((m.username()?.len(), m.priority()?))
}

/// What webrtc-rs `ice` does per datagram: copy into a new `Message` and decode.
fn webrtc_decode(datagram: &[u8]) -> Option<WebrtcMessage> {
    let mut m = WebrtcMessage {
        raw: datagram.to_vec(),
        ..WebrtcMessage::default()
    };
    m.decode().ok()?;
    Some(m)
}

fn webrtc_fields(m: &WebrtcMessage) -> Option<(usize, u32)> {
    let username = TextAttribute::get_from_as(m, ATTR_USERNAME).ok()?;
    let priority = m.get(ATTR_PRIORITY).ok()?;
    let priority = u32::from_be_bytes(priority.get(..4)?.try_into().ok()?);
    Some((username.text.len(), priority))
}

fn webrtc_read(datagram: &[u8]) -> Option<(usize, u32)> {
    webrtc_fields(&webrtc_decode(datagram)?)
}

fn webrtc_verify(datagram: &[u8], integrity: &MessageIntegrity) -> Option<(usize, u32)> {
    let mut m = webrtc_decode(datagram)?;
    FINGERPRINT.check(&m).ok()?;
    integrity.check(&mut m).ok()?;
    webrtc_fields(&m)
}

fn benches(c: &mut Criterion) {
    let datagram = request();
    let integrity = MessageIntegrity::new_short_term_integrity(PASSWORD.to_owned());
    // Both sides read the same values and accept the message before anything is measured.
    let expected = Some((9, 0x6e7f_1eff));
    assert_eq!(ortc_read(&datagram), expected);
    assert_eq!(webrtc_read(&datagram), expected);
    assert_eq!(ortc_verify(&datagram), expected);
    assert_eq!(webrtc_verify(&datagram, &integrity), expected);

    let mut g = c.benchmark_group("stun binding request parse + USERNAME + PRIORITY");
    g.bench_function("ortc-ice", |b| b.iter(|| ortc_read(black_box(&datagram))));
    g.bench_function("webrtc-rs stun", |b| b.iter(|| webrtc_read(black_box(&datagram))));
    g.finish();

    let mut g = c.benchmark_group("stun binding request parse + FINGERPRINT + MESSAGE-INTEGRITY");
    g.bench_function("ortc-ice", |b| b.iter(|| ortc_verify(black_box(&datagram))));
    g.bench_function("webrtc-rs stun", |b| {
        b.iter(|| webrtc_verify(black_box(&datagram), &integrity));
    });
    g.finish();
}

criterion_group!(stun, benches);
criterion_main!(stun);
