//! Feeds arbitrary datagrams to a DTLS endpoint in either role, fresh, mid-handshake or connected: it never
//! panics, and garbage never completes a handshake.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use ortc_dtls::{DtlsCertificate, DtlsConfig, DtlsEndpoint, DtlsEvent, KeyType};
use ortc_srtp::DtlsRole;

fn certificates() -> &'static (DtlsCertificate, DtlsCertificate) {
    static CERTS: OnceLock<(DtlsCertificate, DtlsCertificate)> = OnceLock::new();
    CERTS.get_or_init(|| {
        (
            DtlsCertificate::generate(KeyType::EcdsaP256).expect("certificate"),
            DtlsCertificate::generate(KeyType::EcdsaP256).expect("certificate"),
        )
    })
}

/// Moves datagrams between the two endpoints for at most `rounds` rounds.
fn pump(client: &mut DtlsEndpoint, server: &mut DtlsEndpoint, now: Instant, rounds: usize) {
    for _ in 0..rounds {
        let mut moved = false;
        while let Some(d) = client.poll_transmit() {
            server.handle_datagram(now, &d);
            moved = true;
        }
        while let Some(d) = server.poll_transmit() {
            client.handle_datagram(now, &d);
            moved = true;
        }
        if !moved {
            break;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let (a, b) = certificates();
    let config = DtlsConfig::default();
    let mut client = DtlsEndpoint::new(DtlsRole::Client, a, [b.fingerprint().clone()], &config).expect("client");
    let mut server = DtlsEndpoint::new(DtlsRole::Server, b, [a.fingerprint().clone()], &config).expect("server");
    let now = Instant::now();
    client.start(now);
    server.start(now);
    // 0: fresh; 1: after the first flight reached the server; 2: after two flights; 3: connected.
    let stage = usize::from(selector >> 1) % 4;
    pump(&mut client, &mut server, now, if stage == 3 { 16 } else { stage });
    let connected_before = stage == 3;
    while client.poll_event().is_some() {}
    while server.poll_event().is_some() {}

    let target = if selector & 1 == 0 { &mut client } else { &mut server };
    // Each datagram is a length byte and that many bytes (or what is left).
    let mut rest = data;
    let mut t = now;
    while let Some((&len, tail)) = rest.split_first() {
        let (datagram, next) = tail.split_at(usize::from(len).min(tail.len()));
        target.handle_datagram(t, datagram);
        t += Duration::from_millis(10);
        target.handle_timeout(t);
        let _ = target.poll_timeout();
        while target.poll_transmit().is_some() {}
        while let Some(event) = target.poll_event() {
            if !connected_before {
                assert!(
                    !matches!(event, DtlsEvent::Connected { .. }),
                    "garbage completed a handshake"
                );
            }
        }
        rest = next;
    }
    let _ = target.send_application_data(b"after the fuzz");
    let _ = target.export_keying_material("EXTRACTOR-dtls_srtp", None, 60);
    target.close();
    while target.poll_transmit().is_some() {}
});
