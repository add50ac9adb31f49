//! [`PeerConnectionCore`]: one BUNDLE transport (ICE → DTLS-SRTP → the RTP session), sans-IO.
//!
//! Datagrams in: [`PeerConnectionCore::handle_datagram`] gives each one to the ICE agent, which answers STUN
//! and passes on data received over a valid pair; that is classified by its first bytes (RFC 7983) and goes
//! to the DTLS endpoint, or, as RTP or RTCP (told apart by the RFC 5761 payload-type range), to the RTP
//! session, which unprotects it in place. Datagrams out: [`PeerConnectionCore::poll_transmit`] drains the ICE
//! agent, then DTLS, then the RTP session, each datagram stamped with the addresses it goes between.

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use ortc_dtls::{
    DtlsCertificate, DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, DtlsState, Fingerprint, KeyType, PacketKind,
    PeerCertificateError, classify,
};
use ortc_ice::{AgentConfig, Candidate, Credentials, IceAgent, IceEvent, Received, Role, UnresolvedCandidate};
use ortc_rtcp::NtpTime;
use ortc_rtp_api::session::{self, ReceiverId, RtpSession, SenderId, SessionConfig};
use ortc_rtp_packet::ExtensionMap;
use ortc_srtp::{DtlsRole, SessionKeys, SrtpConfig};
use tracing::{debug, warn};

use crate::error::{Error, OperationError};
use crate::jsep::Jsep;
use crate::transceiver::TransceiverId;

/// Largest datagram the core writes (the session's RTP packets and RTCP compounds fit it).
const DATAGRAM_CAPACITY: usize = 2048;

/// How long after a deadline that is still reported once handled it is reported again.
const RETRY: Duration = Duration::from_millis(1);

/// How a [`PeerConnectionCore`] is set up.
#[derive(Clone)]
pub struct CoreConfig {
    /// The DTLS certificate; a fresh ECDSA P-256 one when `None`.
    pub certificate: Option<DtlsCertificate>,
    /// The wall-clock time at the `now` given to [`PeerConnectionCore::new`], for RTCP sender reports and
    /// abs-send-time (the core reads no clock).
    pub ntp_now: NtpTime,
    /// The RTCP CNAME; a random one when `None`.
    pub cname: Option<String>,
    /// DTLS settings (SRTP profiles, MTU, retransmission timing).
    pub dtls: DtlsConfig,
    /// SRTP settings (replay window).
    pub srtp: SrtpConfig,
    /// For tests only: makes the ICE agent's transaction ids, tie-breaker and credentials repeatable
    /// ([`AgentConfig::test_seed`]). Leave `None` elsewhere.
    pub ice_test_seed: Option<u64>,
}

impl fmt::Debug for CoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoreConfig")
            .field(
                "certificate",
                &self.certificate.as_ref().map(DtlsCertificate::fingerprint),
            )
            .field("ntp_now", &self.ntp_now)
            .field("cname", &self.cname)
            .field("dtls", &self.dtls)
            .finish_non_exhaustive()
    }
}

impl CoreConfig {
    /// Defaults, with the wall-clock reading taken together with the `now` the core is made at.
    pub fn new(ntp_now: NtpTime) -> Self {
        Self {
            certificate: None,
            ntp_now,
            cname: None,
            dtls: DtlsConfig::default(),
            srtp: SrtpConfig::default(),
            ice_test_seed: None,
        }
    }
}

/// W3C `RTCPeerConnectionState`: the transport as a whole (ICE and DTLS together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerConnectionState {
    /// Nothing started yet.
    New,
    /// ICE checks or the DTLS handshake are under way.
    Connecting,
    /// ICE connected and DTLS handshaken: SRTP is keyed.
    Connected,
    /// ICE lost consent for a while.
    Disconnected,
    /// ICE or DTLS failed (a remote fingerprint that does not match, among others).
    Failed,
    /// [`PeerConnectionCore::close`] was called.
    Closed,
}

/// W3C `RTCIceConnectionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceConnectionState {
    /// No checks yet.
    New,
    /// Checks under way.
    Checking,
    /// A pair is selected.
    Connected,
    /// Consent is missing for a while.
    Disconnected,
    /// Every pair failed, or consent was lost.
    Failed,
    /// The connection is closed.
    Closed,
}

/// W3C `RTCIceGatheringState`. Host candidates come from the caller
/// ([`PeerConnectionCore::add_host_address`]), so gathering completes once the local description is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceGatheringState {
    /// No local description yet.
    New,
    /// Gathering.
    Gathering,
    /// Every candidate known is in the local description.
    Complete,
}

/// Something the owner of a [`PeerConnectionCore`] should know or act on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The connection state changed.
    ConnectionStateChanged(PeerConnectionState),
    /// The ICE connection state changed.
    IceConnectionStateChanged(IceConnectionState),
    /// The ICE gathering state changed.
    IceGatheringStateChanged(IceGatheringState),
    /// The signaling state changed.
    SignalingStateChanged(crate::SignalingState),
    /// A local candidate to signal to the peer (trickle), for the m-section `mid`.
    LocalCandidate {
        /// The candidate, as an SDP value (write it with `to_string()` for `a=candidate:`).
        candidate: ortc_sdp::Candidate,
        /// The m-section it belongs to (the BUNDLE tag), once known.
        mid: Option<String>,
    },
    /// A remote description made a transceiver receive: a new remote track (W3C `track` event).
    Track(TransceiverId),
    /// The RTP session has something for a transceiver (or, for streams added without one, for the raw
    /// session ids).
    Media {
        /// The transceiver whose stream it concerns, if it has one.
        transceiver: Option<TransceiverId>,
        /// The session's event.
        event: session::Event,
    },
}

/// Counters of what the core did with what it was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoreStats {
    /// Datagrams given to [`PeerConnectionCore::handle_datagram`].
    pub datagrams_received: u64,
    /// Datagrams handed out by [`PeerConnectionCore::poll_transmit`].
    pub datagrams_sent: u64,
    /// Data datagrams (not STUN) that arrived over a valid pair but that no protocol of ours claims.
    pub unknown_datagrams: u64,
    /// DTLS records that arrived before the remote description set the DTLS role up.
    pub dtls_before_setup: u64,
    /// RTP or RTCP that arrived before the RTP session existed.
    pub media_before_setup: u64,
    /// Peers whose certificate did not match the fingerprint of the remote description.
    pub fingerprint_mismatches: u64,
    /// DTLS failures of any kind (fingerprint mismatches included).
    pub dtls_failures: u64,
}

/// What the remote side of the transport is, as its description says.
#[derive(Debug, Clone)]
pub struct RemoteTransport {
    /// Our ICE role (JSEP: the offerer controls).
    pub ice_role: Role,
    /// The peer's ICE credentials.
    pub credentials: Credentials,
    /// The peer's candidates with an address.
    pub candidates: Vec<Candidate>,
    /// The peer's candidates named by a host name (mDNS), kept but not paired.
    pub unresolved_candidates: Vec<UnresolvedCandidate>,
    /// The peer said `a=end-of-candidates`.
    pub end_of_candidates: bool,
    /// The peer is ICE-lite.
    pub ice_lite: bool,
    /// Our DTLS role (from `a=setup`).
    pub dtls_role: DtlsRole,
    /// The fingerprints the peer's certificate must match (any of them).
    pub fingerprints: Vec<Fingerprint>,
}

/// What the RTP session is set up with: negotiated for the whole BUNDLE transport.
#[derive(Debug, Clone)]
pub struct SessionSetup {
    /// The header extension ids (one map for every m-section under BUNDLE).
    pub extensions: ExtensionMap,
    /// `a=rtcp-rsize` negotiated.
    pub reduced_size_rtcp: bool,
}

/// A datagram to send, borrowed from the core until its next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit<'a> {
    /// The local address to send from (one the caller gave as a host address).
    pub local: SocketAddr,
    /// Where to send it.
    pub remote: SocketAddr,
    /// The datagram.
    pub contents: &'a [u8],
}

/// A WebRTC peer connection without I/O: one ICE agent, one DTLS endpoint and one RTP session for one BUNDLE
/// transport (bundle-policy max-bundle, rtcp-mux only), and the JSEP offer/answer state over them.
///
/// It reads no clock and owns no socket: datagrams and `Instant`s go in ([`handle_datagram`],
/// [`handle_timeout`]), datagrams, events and the next deadline come out ([`poll_transmit`], [`poll_event`],
/// [`poll_timeout`]). Once connected, receiving and sending media allocate nothing per datagram.
///
/// [`handle_datagram`]: Self::handle_datagram
/// [`handle_timeout`]: Self::handle_timeout
/// [`poll_transmit`]: Self::poll_transmit
/// [`poll_event`]: Self::poll_event
/// [`poll_timeout`]: Self::poll_timeout
pub struct PeerConnectionCore {
    pub(crate) ice: IceAgent,
    pub(crate) certificate: DtlsCertificate,
    dtls_config: DtlsConfig,
    srtp_config: SrtpConfig,
    pub(crate) dtls: Option<DtlsEndpoint>,
    dtls_started: bool,
    /// The ICE role was set by a negotiation.
    ice_role_set: bool,
    /// The remote ICE credentials given to the agent.
    remote_credentials: Option<Credentials>,
    pub(crate) session: Option<RtpSession>,
    session_config: SessionConfig,
    keys: Option<SessionKeys>,
    /// The selected pair, else the addresses data last arrived over (a DTLS server may answer before its
    /// agent selects a pair).
    path: Option<(SocketAddr, SocketAddr)>,
    out: BytesMut,
    pending_dtls: Option<Bytes>,
    events: VecDeque<Event>,
    ice_state: IceConnectionState,
    pub(crate) gathering_state: IceGatheringState,
    state: PeerConnectionState,
    stats: CoreStats,
    /// The last `now` given to `handle_timeout`.
    handled: Option<Instant>,
    pub(crate) jsep: Jsep,
}

impl fmt::Debug for PeerConnectionCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerConnectionCore")
            .field("state", &self.state)
            .field("ice_state", &self.ice_state)
            .field("signaling_state", &self.jsep.signaling)
            .field("path", &self.path)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl PeerConnectionCore {
    /// A connection at `now`, with no transceivers, no candidates and no descriptions yet.
    pub fn new(config: CoreConfig, now: Instant) -> Result<Self, Error> {
        let certificate = match config.certificate {
            Some(c) => c,
            None => DtlsCertificate::generate(KeyType::EcdsaP256).map_err(OperationError::Dtls)?,
        };
        let mut ice_config = AgentConfig::new(Role::Controlled);
        ice_config.test_seed = config.ice_test_seed;
        let ice = IceAgent::new(ice_config, now).map_err(OperationError::Ice)?;
        let cname = match config.cname {
            Some(c) => c,
            None => random_token(16)?,
        };
        let mut session_config = SessionConfig::new(cname, ExtensionMap::new(), (now, config.ntp_now));
        session_config.seed = u64::from(random_u32()?) << 32 | u64::from(random_u32()?);
        Ok(Self {
            ice,
            certificate,
            dtls_config: config.dtls,
            srtp_config: config.srtp,
            dtls: None,
            dtls_started: false,
            ice_role_set: false,
            remote_credentials: None,
            session: None,
            session_config,
            keys: None,
            path: None,
            out: BytesMut::with_capacity(DATAGRAM_CAPACITY),
            pending_dtls: None,
            events: VecDeque::new(),
            ice_state: IceConnectionState::New,
            gathering_state: IceGatheringState::New,
            state: PeerConnectionState::New,
            stats: CoreStats::default(),
            handled: None,
            jsep: Jsep::new()?,
        })
    }

    /// Our DTLS certificate's SHA-256 fingerprint (`a=fingerprint`).
    pub fn local_fingerprint(&self) -> &Fingerprint {
        self.certificate.fingerprint()
    }

    /// Our ICE credentials (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_ice_credentials(&self) -> &Credentials {
        self.ice.local_credentials()
    }

    /// The RTCP CNAME of every stream we send.
    pub fn cname(&self) -> &str {
        &self.session_config.cname
    }

    /// Adds a host candidate on `addr`, an address the caller has bound a UDP socket to; datagrams from it
    /// come back through [`handle_datagram`](Self::handle_datagram) with `local` = `addr`. Reported as
    /// [`Event::LocalCandidate`]; in the local description from then on.
    pub fn add_host_address(&mut self, addr: SocketAddr) -> Result<(), Error> {
        self.jsep.check_open()?;
        let candidate = Candidate::host(addr);
        if self.ice.local_candidates().iter().any(|c| c.addr == addr) {
            return Ok(());
        }
        self.ice
            .add_local_candidate(candidate.clone())
            .map_err(OperationError::Ice)?;
        self.events.push_back(Event::LocalCandidate {
            candidate: crate::jsep::to_sdp_candidate(&candidate),
            mid: self.jsep.bundle_tag(),
        });
        Ok(())
    }

    /// Starts the transport towards `remote`: ICE credentials, role and candidates, and the DTLS endpoint (its
    /// handshake starts once ICE selects a pair). A second call with the same DTLS role and fingerprints keeps
    /// the running endpoint and only adds candidates.
    pub fn start_transport(&mut self, now: Instant, remote: RemoteTransport) -> Result<(), Error> {
        self.jsep.check_open()?;
        let keep_dtls = self
            .dtls
            .as_ref()
            .is_some_and(|d| d.role() == remote.dtls_role && d.remote_fingerprints() == &remote.fingerprints[..]);
        if !keep_dtls {
            let endpoint = DtlsEndpoint::new(
                remote.dtls_role,
                &self.certificate,
                remote.fingerprints.iter().cloned(),
                &self.dtls_config,
            )
            .map_err(OperationError::Dtls)?;
            self.dtls = Some(endpoint);
            self.dtls_started = false;
        }
        // The roles are settled by the first negotiation; later ones keep them (RFC 8445 §7.1; no restart).
        if remote.ice_lite {
            self.ice.set_remote_ice_lite(true);
        } else if !self.ice_role_set {
            self.ice.set_signalled_role(remote.ice_role);
        }
        self.ice_role_set = true;
        // The same credentials again (a later negotiation without ICE restart) leave the checks as they are.
        if self.remote_credentials.as_ref() != Some(&remote.credentials) {
            self.ice.set_remote_credentials(remote.credentials.clone());
            self.remote_credentials = Some(remote.credentials);
        }
        for c in remote.candidates {
            // invariant: the conversion from SDP keeps component-1 UDP candidates only
            self.ice.add_remote_candidate(c).map_err(OperationError::Ice)?;
        }
        for c in remote.unresolved_candidates {
            self.ice
                .add_remote_unresolved_candidate(c)
                .map_err(OperationError::Ice)?;
        }
        if remote.end_of_candidates {
            self.ice.set_remote_end_of_candidates();
        }
        self.pump(now);
        Ok(())
    }

    /// Adds a remote candidate learned later (trickle ICE) to a started transport.
    pub(crate) fn add_remote_ice_candidate(&mut self, now: Instant, candidate: RemoteCandidate) -> Result<(), Error> {
        match candidate {
            RemoteCandidate::Resolved(c) => self.ice.add_remote_candidate(c),
            RemoteCandidate::Unresolved(c) => self.ice.add_remote_unresolved_candidate(c),
            RemoteCandidate::EndOfCandidates => {
                self.ice.set_remote_end_of_candidates();
                Ok(())
            }
        }
        .map_err(OperationError::Ice)?;
        self.pump(now);
        Ok(())
    }

    /// Creates the RTP session (once; a later call changes nothing). Streams are added with
    /// [`session_mut`](Self::session_mut), or by negotiation.
    pub fn start_session(&mut self, setup: SessionSetup) -> Result<(), Error> {
        self.jsep.check_open()?;
        if self.session.is_some() {
            return Ok(());
        }
        let mut config = self.session_config.clone();
        config.extensions = setup.extensions;
        config.reduced_size_rtcp = setup.reduced_size_rtcp;
        config.transport_cc_feedback = config
            .extensions
            .id_of(ortc_rtp_packet::ExtensionKind::TransportSequenceNumber)
            .is_some();
        let mut session = RtpSession::new(config);
        if let Some(keys) = &self.keys {
            session
                .set_keys(keys, &self.srtp_config)
                .map_err(OperationError::Session)?;
        }
        self.session = Some(session);
        Ok(())
    }

    /// The RTP session, once started: to add streams by hand, write frames and poll received ones.
    pub fn session_mut(&mut self) -> Option<&mut RtpSession> {
        self.session.as_mut()
    }

    /// The connection state.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.state
    }

    /// The ICE connection state.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.ice_state
    }

    /// The ICE gathering state.
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        self.gathering_state
    }

    /// The DTLS endpoint's state, once the transport started.
    pub fn dtls_state(&self) -> Option<DtlsState> {
        self.dtls.as_ref().map(DtlsEndpoint::state)
    }

    /// Whether SRTP is keyed (the DTLS handshake completed and the peer's fingerprint matched).
    pub fn is_keyed(&self) -> bool {
        self.keys.is_some()
    }

    /// The selected ICE pair `(local, remote)`, if any.
    pub fn selected_pair(&self) -> Option<(SocketAddr, SocketAddr)> {
        self.ice.selected_pair().map(|p| (p.local, p.remote))
    }

    /// The core's counters.
    pub fn stats(&self) -> CoreStats {
        self.stats
    }

    /// The ICE agent's counters.
    pub fn ice_stats(&self) -> ortc_ice::IceStats {
        self.ice.stats()
    }

    /// The DTLS endpoint's counters, once the transport started.
    pub fn dtls_stats(&self) -> Option<ortc_dtls::DtlsStats> {
        self.dtls.as_ref().map(|d| *d.stats())
    }

    /// Handles one datagram that arrived on `local` (a host address) from `remote` at `now`. Its bytes may
    /// be taken (media payloads are kept without copying); `datagram` is left empty or unchanged.
    pub fn handle_datagram(&mut self, now: Instant, local: SocketAddr, remote: SocketAddr, datagram: &mut BytesMut) {
        self.stats.datagrams_received += 1;
        if self.state == PeerConnectionState::Closed {
            return;
        }
        let kind = match self.ice.handle_receive(now, local, remote, &datagram[..]) {
            Received::Data(data) => classify(data),
            Received::Stun | Received::Dropped(_) => {
                self.pump(now);
                return;
            }
        };
        if self.ice.selected_pair().is_none() {
            self.path = Some((local, remote));
        }
        match kind {
            PacketKind::Dtls => match self.dtls.as_mut() {
                Some(dtls) => dtls.handle_datagram(now, &datagram[..]),
                None => self.stats.dtls_before_setup += 1,
            },
            PacketKind::Rtp => match self.session.as_mut() {
                Some(s) => s.handle_rtp(now, datagram),
                None => self.stats.media_before_setup += 1,
            },
            PacketKind::Rtcp => match self.session.as_mut() {
                Some(s) => s.handle_rtcp(now, datagram),
                None => self.stats.media_before_setup += 1,
            },
            _ => self.stats.unknown_datagrams += 1,
        }
        self.pump(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next: the earliest deadline of ICE,
    /// DTLS and the RTP session.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == PeerConnectionState::Closed {
            return None;
        }
        let dtls = self
            .dtls
            .as_ref()
            .filter(|_| self.dtls_started)
            .and_then(DtlsEndpoint::poll_timeout);
        let session = self.session.as_ref().and_then(RtpSession::poll_timeout).map(|(t, _)| t);
        let next = [self.ice.poll_timeout(), dtls, session].into_iter().flatten().min()?;
        // Should a part still report a deadline it was given time for, it is retried a millisecond later: a
        // caller that sleeps until the deadline never spins.
        Some(match self.handled {
            Some(h) if next <= h => h + RETRY,
            _ => next,
        })
    }

    /// Runs what is due at `now` in every part.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == PeerConnectionState::Closed {
            return;
        }
        self.handled = Some(now);
        self.ice.handle_timeout(now);
        if self.dtls_started
            && let Some(dtls) = self.dtls.as_mut()
        {
            dtls.handle_timeout(now);
        }
        if let Some(s) = self.session.as_mut() {
            s.handle_timeout(now);
        }
        self.pump(now);
    }

    /// The next datagram to send: ICE's first, then DTLS's, then the RTP session's (protected). DTLS and
    /// media wait until ICE has a pair to send them over.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit<'_>> {
        let closed = self.state == PeerConnectionState::Closed;
        if closed && self.pending_dtls.is_none() {
            return None;
        }
        if let Some(t) = self.ice.poll_transmit(now).filter(|_| !closed) {
            let (local, remote) = (t.source, t.destination);
            self.out.clear();
            self.out.extend_from_slice(t.contents);
            self.stats.datagrams_sent += 1;
            return Some(Transmit {
                local,
                remote,
                contents: &self.out,
            });
        }
        let (local, remote) = self.selected_pair().or(self.path)?;
        let dtls = self
            .pending_dtls
            .take()
            .or_else(|| self.dtls.as_mut().and_then(DtlsEndpoint::poll_transmit));
        if let Some(d) = dtls {
            self.out.clear();
            self.out.extend_from_slice(&d);
            drop(d);
            self.stats.datagrams_sent += 1;
            return Some(Transmit {
                local,
                remote,
                contents: &self.out,
            });
        }
        if closed {
            return None;
        }
        let session = self.session.as_mut()?;
        session.poll_transmit(now, &mut self.out)?;
        self.stats.datagrams_sent += 1;
        Some(Transmit {
            local,
            remote,
            contents: &self.out,
        })
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        if let Some(e) = self.events.pop_front() {
            return Some(e);
        }
        let event = self.session.as_mut()?.poll_event()?;
        let transceiver = match event {
            session::Event::KeyframeRequested { sender, .. } | session::Event::RemoteBitrate { sender, .. } => {
                self.jsep.transceiver_of_sender(sender)
            }
            session::Event::Readable(r) | session::Event::Bye(r) | session::Event::SsrcBound { receiver: r, .. } => {
                self.jsep.transceiver_of_receiver(r)
            }
            _ => None,
        };
        Some(Event::Media { transceiver, event })
    }

    /// Closes the connection (W3C `close`): DTLS writes its `close_notify`, which the next
    /// [`poll_transmit`](Self::poll_transmit) hands out; after that nothing is sent or handled.
    pub fn close(&mut self) {
        if self.state == PeerConnectionState::Closed {
            return;
        }
        if let Some(d) = self.dtls.as_mut() {
            d.close();
            self.pending_dtls = d.poll_transmit();
        }
        self.jsep.close();
        self.set_ice_state(IceConnectionState::Closed);
        self.set_state(PeerConnectionState::Closed);
        self.events
            .push_back(Event::SignalingStateChanged(crate::SignalingState::Closed));
    }

    /// Takes the events of ICE and DTLS, starts the handshake once a pair is selected, keys SRTP once it
    /// completed, and updates the states.
    pub(crate) fn pump(&mut self, now: Instant) {
        while let Some(e) = self.ice.poll_event() {
            match e {
                IceEvent::ConnectionStateChanged(s) => {
                    let s = match s {
                        ortc_ice::ConnectionState::New => IceConnectionState::New,
                        ortc_ice::ConnectionState::Checking => IceConnectionState::Checking,
                        ortc_ice::ConnectionState::Connected => IceConnectionState::Connected,
                        ortc_ice::ConnectionState::Disconnected => IceConnectionState::Disconnected,
                        ortc_ice::ConnectionState::Failed => IceConnectionState::Failed,
                    };
                    self.set_ice_state(s);
                }
                IceEvent::SelectedPairChanged(p) => {
                    debug!(local = %p.local, remote = %p.remote, "selected pair");
                    self.path = Some((p.local, p.remote));
                }
                IceEvent::LocalCandidate(c) => self.events.push_back(Event::LocalCandidate {
                    candidate: crate::jsep::to_sdp_candidate(&c),
                    mid: self.jsep.bundle_tag(),
                }),
                _ => {}
            }
        }
        if !self.dtls_started
            && self.ice.selected_pair().is_some()
            && let Some(dtls) = self.dtls.as_mut()
        {
            debug!(role = ?dtls.role(), "DTLS handshake starts");
            dtls.start(now);
            self.dtls_started = true;
        }
        while let Some(e) = self.dtls.as_mut().and_then(DtlsEndpoint::poll_event) {
            match e {
                DtlsEvent::Connected {
                    keys,
                    remote_fingerprint,
                    ..
                } => {
                    debug!(%remote_fingerprint, profile = ?keys.profile(), "DTLS connected: SRTP keyed");
                    if let Some(s) = self.session.as_mut()
                        && let Err(e) = s.set_keys(&keys, &self.srtp_config)
                    {
                        warn!(%e, "SRTP keys refused");
                        self.set_state(PeerConnectionState::Failed);
                        continue;
                    }
                    self.keys = Some(keys);
                }
                DtlsEvent::Error(e) => {
                    self.stats.dtls_failures += 1;
                    if matches!(
                        e,
                        DtlsError::PeerCertificate(PeerCertificateError::FingerprintMismatch { .. })
                    ) {
                        self.stats.fingerprint_mismatches += 1;
                        warn!(%e, "the peer's certificate does not match the remote description's fingerprint");
                    } else {
                        warn!(%e, "DTLS failed");
                    }
                }
                DtlsEvent::Closed => debug!("DTLS closed by the peer"),
                _ => {}
            }
        }
        self.update_state();
    }

    fn update_state(&mut self) {
        if self.state == PeerConnectionState::Closed {
            return;
        }
        let dtls = self.dtls.as_ref().map(DtlsEndpoint::state);
        let state = match (self.ice_state, dtls) {
            (IceConnectionState::Failed, _) | (_, Some(DtlsState::Failed)) => PeerConnectionState::Failed,
            (_, Some(DtlsState::Closed)) => PeerConnectionState::Closed,
            (IceConnectionState::Disconnected, _) => PeerConnectionState::Disconnected,
            (IceConnectionState::Connected, Some(DtlsState::Connected)) if self.keys.is_some() => {
                PeerConnectionState::Connected
            }
            (IceConnectionState::New, None) => PeerConnectionState::New,
            _ => PeerConnectionState::Connecting,
        };
        self.set_state(state);
    }

    fn set_state(&mut self, state: PeerConnectionState) {
        if self.state != state {
            debug!(?state, "connection state");
            self.state = state;
            self.events.push_back(Event::ConnectionStateChanged(state));
        }
    }

    fn set_ice_state(&mut self, state: IceConnectionState) {
        if self.ice_state != state {
            self.ice_state = state;
            self.events.push_back(Event::IceConnectionStateChanged(state));
        }
    }

    pub(crate) fn push_event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// The session's send stream of a transceiver.
    pub(crate) fn sender_id(&self, t: TransceiverId) -> Option<SenderId> {
        self.jsep.transceivers.get(t.0).and_then(|t| t.sender)
    }

    /// The session's receive stream of a transceiver.
    pub(crate) fn receiver_id(&self, t: TransceiverId) -> Option<ReceiverId> {
        self.jsep.transceivers.get(t.0).and_then(|t| t.receiver)
    }
}

/// A remote candidate given after the remote description.
#[derive(Debug, Clone)]
pub(crate) enum RemoteCandidate {
    /// With an address.
    Resolved(Candidate),
    /// Named by a host name.
    Unresolved(UnresolvedCandidate),
    /// `end-of-candidates`.
    EndOfCandidates,
}

/// A random `u32` from the OS CSPRNG.
pub(crate) fn random_u32() -> Result<u32, Error> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(OperationError::Random)?;
    Ok(u32::from_le_bytes(b))
}

/// `len` random characters of `[A-Za-z0-9+/]` from the OS CSPRNG.
pub(crate) fn random_token(len: usize) -> Result<String, Error> {
    const CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(OperationError::Random)?;
    Ok(bytes.iter().map(|b| char::from(CHARS[usize::from(b & 63)])).collect())
}
