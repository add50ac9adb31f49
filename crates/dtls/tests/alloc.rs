//! Once connected, an endpoint allocates nothing per datagram: application data out and in, replayed and
//! garbage datagrams, all reuse storage sized by the first datagrams.
//!
//! This counts the allocations of Rust's global allocator. OpenSSL takes its own memory from `malloc` directly,
//! which that allocator does not see; with its buffers set up by the handshake it needs no more to read or
//! write a record (counted through `CRYPTO_set_mem_functions` on OpenSSL 3.0.19: none in 200 records), but
//! this test does not count it.

mod common;

use std::time::Duration;

use common::Pair;
use ortc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent};
use ortc_srtp::SrtpProfile;
use ortc_test_support::{CountingAllocator, allocations_during};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn counter_sees_allocations() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

/// Bytes of application data `to` reported.
fn drain(to: &mut DtlsEndpoint) -> usize {
    let mut got = 0;
    while let Some(event) = to.poll_event() {
        if let DtlsEvent::ApplicationData(data) = event {
            got += data.len();
        }
    }
    got
}

/// `from` sends `payload` to `to`; `to` also gets a replay of it and a garbage record. Returns the bytes `to`
/// received.
fn one_way(pair_now: std::time::Instant, from: &mut DtlsEndpoint, to: &mut DtlsEndpoint, payload: &[u8]) -> usize {
    from.send_application_data(payload).expect("send");
    let mut got = 0;
    while let Some(datagram) = from.poll_transmit() {
        to.handle_datagram(pair_now, &datagram);
        got += drain(to);
        // A replay is dropped by OpenSSL's replay window; a record that fails authentication is dropped too.
        to.handle_datagram(pair_now, &datagram);
        let mut forged = [0u8; 64];
        forged[..13].copy_from_slice(&datagram[..13]);
        forged[11..13].copy_from_slice(&51u16.to_be_bytes());
        to.handle_datagram(pair_now, &forged);
        got += drain(to);
    }
    got
}

fn rounds(pair: &mut Pair, n: usize, payload: &[u8]) -> usize {
    let now = pair.now;
    let mut got = 0;
    for _ in 0..n {
        got += one_way(now, &mut pair.client, &mut pair.server, payload);
        got += one_way(now, &mut pair.server, &mut pair.client, payload);
    }
    got
}

#[test]
fn connected_endpoints_allocate_nothing_per_datagram() {
    let config = DtlsConfig {
        initial_retransmit_timeout: Duration::from_millis(20),
        ..DtlsConfig::default()
    };
    let mut pair = Pair::new(&config, &config);
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    // The handshake's datagrams, kept by the harness, would keep the storage they were cut from alive.
    pair.wire.clear();
    let payload = vec![0x5a; pair.client.max_application_data().expect("connected")];
    assert_eq!(rounds(&mut pair, 4, &payload), 8 * payload.len(), "warm-up");

    let mut got = 0;
    let n = allocations_during(|| got = rounds(&mut pair, 100, &payload));
    assert_eq!(got, 200 * payload.len(), "every record arrived once");
    assert_eq!(
        n, 0,
        "{n} allocations for 200 datagrams of application data (and 400 dropped ones)"
    );
    assert_eq!(pair.client.stats().application_records_received, 104);
}

#[test]
fn application_data_kept_by_the_caller_costs_fresh_storage_now_and_then() {
    let mut pair = Pair::new(&DtlsConfig::default(), &DtlsConfig::default());
    pair.run(Duration::from_secs(5));
    pair.assert_connected(SrtpProfile::AeadAes128Gcm);
    pair.wire.clear();
    let payload = vec![0x5a; pair.client.max_application_data().expect("connected")];
    let mut kept = Vec::with_capacity(200);
    let now = pair.now;
    let n = allocations_during(|| {
        for _ in 0..100 {
            pair.client.send_application_data(&payload).expect("send");
            let datagram = pair.client.poll_transmit().expect("record");
            pair.server.handle_datagram(now, &datagram);
            kept.push(datagram);
            while let Some(event) = pair.server.poll_event() {
                if let DtlsEvent::ApplicationData(data) = event {
                    kept.push(data);
                }
            }
        }
    });
    assert_eq!(kept.len(), 200);
    assert!(kept[1..].iter().step_by(2).all(|d| d[..] == payload[..]));
    // 100 datagrams and 100 records of 1163 bytes, kept: a new 16 KiB storage (two allocations) every 14.
    assert!(n <= 2 * 2 * (100 / 14 + 1), "{n} allocations");
}
