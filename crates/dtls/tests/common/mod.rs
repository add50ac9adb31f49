//! Two endpoints over an in-memory network with a drop filter, on a fake clock: time jumps from deadline to
//! deadline and no real time passes.
#![allow(dead_code)] // each test binary uses a part

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_dtls::{DtlsCertificate, DtlsConfig, DtlsEndpoint, DtlsEvent, Fingerprint, KeyType};
use ortc_srtp::{DtlsRole, SessionKeys, SrtpProfile};

/// Which way a datagram travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    ClientToServer,
    ServerToClient,
}

/// A datagram seen on the wire: direction, the sender's batch (one drain of `poll_transmit`), time, bytes.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) dir: Dir,
    pub(crate) batch: usize,
    pub(crate) at: Instant,
    pub(crate) bytes: Bytes,
    pub(crate) dropped: bool,
}

pub(crate) struct Pair {
    pub(crate) client: DtlsEndpoint,
    pub(crate) server: DtlsEndpoint,
    pub(crate) client_events: Vec<DtlsEvent>,
    pub(crate) server_events: Vec<DtlsEvent>,
    pub(crate) wire: Vec<Sent>,
    pub(crate) now: Instant,
    batches: [usize; 2],
    /// Drops a datagram when it returns true, given its direction and its sender's batch number.
    pub(crate) drop: Box<dyn FnMut(Dir, usize) -> bool>,
}

pub(crate) fn cert() -> DtlsCertificate {
    DtlsCertificate::generate(KeyType::EcdsaP256).expect("generates")
}

impl Pair {
    pub(crate) fn new(client_config: &DtlsConfig, server_config: &DtlsConfig) -> Self {
        let (c, s) = (cert(), cert());
        Self::with(
            (&c, vec![s.fingerprint().clone()], client_config),
            (&s, vec![c.fingerprint().clone()], server_config),
        )
    }

    pub(crate) fn with(
        client: (&DtlsCertificate, Vec<Fingerprint>, &DtlsConfig),
        server: (&DtlsCertificate, Vec<Fingerprint>, &DtlsConfig),
    ) -> Self {
        Self {
            client: DtlsEndpoint::new(DtlsRole::Client, client.0, client.1, client.2).expect("client"),
            server: DtlsEndpoint::new(DtlsRole::Server, server.0, server.1, server.2).expect("server"),
            client_events: Vec::new(),
            server_events: Vec::new(),
            wire: Vec::new(),
            now: Instant::now(),
            batches: [0; 2],
            drop: Box::new(|_, _| false),
        }
    }

    /// Moves datagrams both ways until neither side has anything to send; true if any moved.
    pub(crate) fn pump(&mut self) -> bool {
        let mut any = false;
        loop {
            let moved = self.flush(Dir::ClientToServer) | self.flush(Dir::ServerToClient);
            self.collect_events();
            if !moved {
                return any;
            }
            any = true;
        }
    }

    fn flush(&mut self, dir: Dir) -> bool {
        let (from, to) = match dir {
            Dir::ClientToServer => (&mut self.client, &mut self.server),
            Dir::ServerToClient => (&mut self.server, &mut self.client),
        };
        let mut batch = Vec::new();
        while let Some(d) = from.poll_transmit() {
            batch.push(d);
        }
        if batch.is_empty() {
            return false;
        }
        let index = &mut self.batches[dir as usize];
        for bytes in batch {
            let dropped = (self.drop)(dir, *index);
            if !dropped {
                to.handle_datagram(self.now, &bytes);
            }
            self.wire.push(Sent {
                dir,
                batch: *index,
                at: self.now,
                bytes,
                dropped,
            });
        }
        *index += 1;
        true
    }

    fn collect_events(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.client_events.push(e);
        }
        while let Some(e) = self.server.poll_event() {
            self.server_events.push(e);
        }
    }

    /// Runs the handshake until both sides have settled or `limit` of test time has passed.
    pub(crate) fn run(&mut self, limit: Duration) {
        let end = self.now + limit;
        self.client.start(self.now);
        self.server.start(self.now);
        loop {
            self.pump();
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next else { break };
            if next > end {
                break;
            }
            self.now = self.now.max(next);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
        }
        self.pump();
    }

    pub(crate) fn client_connected(&self) -> Option<(SrtpProfile, SessionKeys)> {
        connected(&self.client_events)
    }

    pub(crate) fn server_connected(&self) -> Option<(SrtpProfile, SessionKeys)> {
        connected(&self.server_events)
    }

    /// Asserts both sides connected with `profile` and matching keys; returns (client keys, server keys).
    pub(crate) fn assert_connected(&self, profile: SrtpProfile) -> (SessionKeys, SessionKeys) {
        let (cp, ck) = self.client_connected().expect("client connected");
        let (sp, sk) = self.server_connected().expect("server connected");
        assert_eq!((cp, sp), (profile, profile));
        assert_eq!(ck.profile(), profile);
        assert_eq!(ck.local(), sk.remote(), "client write key = server read key");
        assert_eq!(ck.remote(), sk.local(), "server write key = client read key");
        assert_ne!(ck.local(), ck.remote());
        (ck, sk)
    }
}

pub(crate) fn connected(events: &[DtlsEvent]) -> Option<(SrtpProfile, SessionKeys)> {
    events.iter().find_map(|e| match e {
        DtlsEvent::Connected { profile, keys, .. } => Some((*profile, keys.clone())),
        _ => None,
    })
}
