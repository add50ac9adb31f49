//! The ICE agent (RFC 8445) with consent freshness (RFC 7675), sans-IO.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tracing::{debug, trace};

use crate::candidate::{Candidate, CandidateKind, UnresolvedCandidate, candidate_priority, pair_priority};
use crate::random::Rng;
use crate::stun::{AttributeType, Class, ErrorCode, Message, MessageBuilder, Method, TransactionId, is_stun};
use crate::{IceError, StunError};

/// Largest STUN message the agent writes.
const MAX_STUN: usize = 548;

/// Which side decides the nominated pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Nominates pairs (sends USE-CANDIDATE).
    Controlling,
    /// Accepts the other side's nominations.
    Controlled,
}

impl Role {
    fn flip(self) -> Self {
        match self {
            Self::Controlling => Self::Controlled,
            Self::Controlled => Self::Controlling,
        }
    }
}

/// The connection state the agent reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// No checks yet (no remote candidates or credentials).
    New,
    /// Checks are running and no pair is selected yet (also during an ICE restart).
    Checking,
    /// A pair is selected and has consent.
    Connected,
    /// The selected pair's consent checks have gone unanswered for a while; it may come back.
    Disconnected,
    /// Every pair failed, or consent expired: nothing may be sent.
    Failed,
}

/// ICE credentials: username fragment and password (RFC 8445 §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The username fragment (`ice-ufrag`).
    pub ufrag: String,
    /// The password (`ice-pwd`).
    pub pwd: String,
}

fn is_ice_chars(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

impl Credentials {
    /// Credentials from given strings, checked against RFC 8445 §5.3 (ufrag 4..=256 and pwd 22..=256
    /// ice-chars).
    pub fn new(ufrag: impl Into<String>, pwd: impl Into<String>) -> Result<Self, IceError> {
        let (ufrag, pwd) = (ufrag.into(), pwd.into());
        if !(4..=256).contains(&ufrag.len()) || !is_ice_chars(&ufrag) {
            return Err(IceError::BadCredentials("ufrag must be 4 to 256 ice-chars"));
        }
        if !(22..=256).contains(&pwd.len()) || !is_ice_chars(&pwd) {
            return Err(IceError::BadCredentials("pwd must be 22 to 256 ice-chars"));
        }
        Ok(Self { ufrag, pwd })
    }

    /// Fresh random credentials (8-character ufrag, 24-character pwd) from the OS CSPRNG; an error if it
    /// fails.
    pub fn random() -> Result<Self, IceError> {
        Self::random_from(&mut Rng::Os)
    }

    fn random_from(rng: &mut Rng) -> Result<Self, IceError> {
        Ok(Self {
            ufrag: random_ice_chars(rng, 8)?,
            pwd: random_ice_chars(rng, 24)?,
        })
    }
}

/// `n` random ice-chars: each byte picks one of the 64 (uniformly, as 64 divides 256).
fn random_ice_chars(rng: &mut Rng, n: usize) -> Result<String, IceError> {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = [0u8; 32];
    let bytes = &mut bytes[..n];
    rng.fill(bytes).map_err(IceError::Random)?;
    Ok(bytes.iter().map(|b| char::from(CHARS[usize::from(b & 63)])).collect())
}

/// Agent settings. [`AgentConfig::new`] gives RFC defaults.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The initial role.
    pub role: Role,
    /// Local credentials; random ones when `None`.
    pub credentials: Option<Credentials>,
    /// Pacing interval between new checks (Ta, RFC 8445 §14.2). Default 50 ms.
    pub ta: Duration,
    /// First retransmission timeout of a check. Default 500 ms.
    pub initial_rto: Duration,
    /// Largest retransmission timeout (the RTO doubles up to this). Default 3 s.
    pub max_rto: Duration,
    /// Transmissions of one check before it fails (Rc). Default 7.
    pub max_transmissions: u32,
    /// How long a controlling agent waits after the first valid pair for better pairs before nominating the best
    /// valid one; it nominates at once when no better pair is left to check. Default 200 ms.
    pub nomination_delay: Duration,
    /// Mean interval of consent checks, jittered by ±20 % (RFC 7675). Default 5 s.
    pub consent_interval: Duration,
    /// Time without a consent response after which the state becomes `Disconnected`. Default 10 s.
    pub disconnected_timeout: Duration,
    /// Time without a consent response after which consent is lost and the state `Failed`. Default 30 s.
    pub consent_timeout: Duration,
    /// SOFTWARE to put in responses, if any.
    pub software: Option<String>,
    /// For tests only: draw transaction ids, the tie-breaker, credentials and jitter from a generator seeded
    /// with this value, so that runs repeat. Its outputs are predictable — anyone who sees one message can
    /// forge responses — so leave it `None` (the default: the OS CSPRNG) everywhere else.
    pub test_seed: Option<u64>,
    /// STUN servers to learn server-reflexive candidates from: each host candidate sends a Binding request to
    /// every server of its address family. Empty by default.
    pub stun_servers: Vec<SocketAddr>,
    /// Run as an ICE-lite agent (RFC 8445 §2.5): host candidates only, no checks of its own, always controlled;
    /// it answers checks and selects the pair the full peer nominates. Off by default.
    pub ice_lite: bool,
}

impl AgentConfig {
    /// RFC defaults for the given role.
    pub fn new(role: Role) -> Self {
        Self {
            role,
            credentials: None,
            ta: Duration::from_millis(50),
            initial_rto: Duration::from_millis(500),
            max_rto: Duration::from_secs(3),
            max_transmissions: 7,
            nomination_delay: Duration::from_millis(200),
            consent_interval: Duration::from_secs(5),
            disconnected_timeout: Duration::from_secs(10),
            consent_timeout: Duration::from_secs(30),
            software: None,
            test_seed: None,
            stun_servers: Vec::new(),
            ice_lite: false,
        }
    }
}

/// A datagram to send, borrowed from the agent until the next call on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit<'a> {
    /// The local address to send from (a host candidate's address).
    pub source: SocketAddr,
    /// Where to send it.
    pub destination: SocketAddr,
    /// The datagram.
    pub contents: &'a [u8],
}

/// A STUN message the agent wrote, held inline: queued datagrams and retransmission copies need no
/// allocation of their own.
#[derive(Clone)]
struct Datagram {
    buf: [u8; MAX_STUN],
    len: usize,
}

impl Datagram {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Debug for Datagram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Datagram({} bytes)", self.len)
    }
}

/// A datagram waiting in the send queue.
#[derive(Debug, Clone)]
struct Queued {
    source: SocketAddr,
    destination: SocketAddr,
    datagram: Datagram,
}

/// The pair media goes over: send from `local` to `remote`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectedPair {
    /// The local address.
    pub local: SocketAddr,
    /// The remote address.
    pub remote: SocketAddr,
}

/// Something the application should know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IceEvent {
    /// The connection state changed.
    ConnectionStateChanged(ConnectionState),
    /// A (new) pair was selected for media.
    SelectedPairChanged(SelectedPair),
    /// The agent's role changed: a role conflict, or the peer is ICE-lite.
    RoleChanged(Role),
    /// A new local candidate was gathered (server-reflexive, from a STUN server): signal it to the peer.
    LocalCandidate(Candidate),
    /// Every STUN server answered or timed out for every host candidate: no more local candidates will come
    /// until another host candidate is added.
    GatheringComplete,
}

/// What [`IceAgent::handle_receive`] made of a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<'a> {
    /// A STUN message, consumed by the agent.
    Stun,
    /// Application data (DTLS, SRTP, …) that arrived over a valid pair: hand it up.
    Data(&'a [u8]),
    /// Dropped, for this reason (also counted in [`IceStats`]).
    Dropped(DropReason),
}

/// Why a datagram was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// Not a valid STUN message.
    Malformed(StunError),
    /// FINGERPRINT missing or wrong.
    BadFingerprint,
    /// USERNAME not for us, or MESSAGE-INTEGRITY missing or wrong.
    BadIntegrity,
    /// A STUN method other than Binding.
    UnsupportedMethod,
    /// A response to no transaction of ours.
    UnknownTransaction,
    /// Arrived on a local address that is no local candidate.
    UnknownLocalAddress,
    /// Non-STUN data from an address no valid pair leads to.
    NotOnValidPair,
}

/// Counters of what the agent received and sent. Every dropped datagram is counted once, under its
/// [`DropReason`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IceStats {
    /// STUN messages handed to the agent that parsed.
    pub stun_received: u64,
    /// STUN messages queued for sending (retransmissions included).
    pub stun_sent: u64,
    /// Retransmitted checks.
    pub retransmissions: u64,
    /// Messages dropped because MESSAGE-INTEGRITY (or the USERNAME it covers) did not check out
    /// ([`DropReason::BadIntegrity`]).
    pub integrity_failures: u64,
    /// Messages dropped because FINGERPRINT was missing or wrong ([`DropReason::BadFingerprint`]).
    pub fingerprint_failures: u64,
    /// Datagrams that looked like STUN but did not parse ([`DropReason::Malformed`]).
    pub malformed: u64,
    /// Messages of a STUN method other than Binding ([`DropReason::UnsupportedMethod`]).
    pub unsupported_method: u64,
    /// Responses to no transaction of ours, or from other addresses than the request went between
    /// ([`DropReason::UnknownTransaction`]).
    pub unmatched_responses: u64,
    /// Requests that arrived on an address that is no local host candidate ([`DropReason::UnknownLocalAddress`]).
    pub unknown_local_address: u64,
    /// Remote candidates signalled with a host name (mDNS `.local`) that the agent could not use: kept
    /// unresolved, paired with nothing ([`IceAgent::add_remote_unresolved_candidate`]).
    pub unresolved_remote_candidates: u64,
    /// Role conflicts seen (487 sent or received, or a role switch).
    pub role_conflicts: u64,
    /// Application datagrams handed up.
    pub data_received: u64,
    /// Application datagrams dropped, not over a valid pair ([`DropReason::NotOnValidPair`]).
    pub data_dropped: u64,
}

/// The state of a candidate pair in the checklist (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Waits for a pair of the same foundation to succeed.
    Frozen,
    /// Ready to be checked.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Checks failed.
    Failed,
}

// Independent flags of one pair (RFC 8445 §7.2.5.3.4, §7.3.1.5), not a state machine in disguise.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
struct Pair {
    local: usize,
    remote: usize,
    priority: u64,
    state: PairState,
    /// Nominated (USE-CANDIDATE sent and answered, or received on a valid pair).
    nominated: bool,
    /// Controlling: a nomination check is queued or in flight.
    nominating: bool,
    /// Controlled: USE-CANDIDATE arrived before the pair was valid; nominate on success.
    nominate_on_success: bool,
    /// An authenticated check arrived over this pair.
    remote_validated: bool,
    /// The local candidate of the valid pair when the check's mapped address is not `local` (a server- or
    /// peer-reflexive candidate of the same base, RFC 8445 §7.2.5.3.2). Data is still sent from `local`.
    valid_local: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxKind {
    Check {
        pair: usize,
        use_candidate: bool,
        role: Role,
        /// The PRIORITY sent: a peer-reflexive local candidate learned from the response gets it.
        priority: u32,
    },
    Consent,
    /// A Binding request to a STUN server from a host candidate.
    Gather,
}

#[derive(Debug, Clone)]
struct Transaction {
    tid: TransactionId,
    kind: TxKind,
    local: SocketAddr,
    remote: SocketAddr,
    request: Datagram,
    transmissions: u32,
    rto: Duration,
    next_at: Instant,
}

/// An ICE agent for one component, sans-IO: feed it datagrams ([`IceAgent::handle_receive`]) and time
/// ([`IceAgent::handle_timeout`]); take datagrams to send ([`IceAgent::poll_transmit`]), the next deadline
/// ([`IceAgent::poll_timeout`]) and events ([`IceAgent::poll_event`]).
///
/// Local candidates are host candidates the caller gathered (on sockets it owns, e.g. with
/// [`crate::host_addresses`]); remote candidates may trickle in. Checks are paced every Ta, retransmitted with
/// a doubling RTO; the controlling agent nominates with regular nomination, the controlled one accepts
/// nominations (aggressive ones too). Once a pair is selected, consent checks run every ~5 s and consent is lost
/// after 30 s without a response.
#[derive(Debug)]
pub struct IceAgent {
    config: AgentConfig,
    role: Role,
    tie_breaker: u64,
    local_credentials: Credentials,
    remote_credentials: Option<Credentials>,
    local_candidates: Vec<Candidate>,
    remote_candidates: Vec<Candidate>,
    /// Remote candidates with a host name for an address: kept, never paired.
    unresolved_remote_candidates: Vec<UnresolvedCandidate>,
    remote_end_of_candidates: bool,
    /// The peer is ICE-lite: it sends no checks, and we control.
    remote_lite: bool,
    pairs: Vec<Pair>,
    triggered: VecDeque<usize>,
    transactions: Vec<Transaction>,
    /// Datagrams to send, oldest first; the queue's storage is reused.
    transmits: VecDeque<Queued>,
    /// The datagram [`IceAgent::poll_transmit`] last handed out.
    sending: Option<Queued>,
    events: VecDeque<IceEvent>,
    state: ConnectionState,
    selected: Option<SelectedPair>,
    /// A selected pair from before an ICE restart: data keeps flowing over it until a new one is selected.
    restarting: bool,
    next_check_at: Instant,
    first_valid_at: Option<Instant>,
    consent_last: Instant,
    next_consent: Instant,
    now: Instant,
    rng: Rng,
    stats: IceStats,
}

impl IceAgent {
    /// A new agent, at time `now`. Fails only if the OS random number generator does (for the tie-breaker and,
    /// unless [`AgentConfig::credentials`] gives them, the credentials).
    pub fn new(config: AgentConfig, now: Instant) -> Result<Self, IceError> {
        let rng = config.test_seed.map_or(Rng::Os, Rng::Seeded);
        Self::with_rng(config, now, rng)
    }

    fn with_rng(config: AgentConfig, now: Instant, mut rng: Rng) -> Result<Self, IceError> {
        let tie_breaker = rng.u64().map_err(IceError::Random)?;
        let local_credentials = match config.credentials.clone() {
            Some(c) => c,
            None => Credentials::random_from(&mut rng)?,
        };
        let role = if config.ice_lite { Role::Controlled } else { config.role };
        Ok(Self {
            role,
            config,
            tie_breaker,
            local_credentials,
            remote_credentials: None,
            local_candidates: Vec::new(),
            remote_candidates: Vec::new(),
            unresolved_remote_candidates: Vec::new(),
            remote_end_of_candidates: false,
            remote_lite: false,
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            transactions: Vec::new(),
            transmits: VecDeque::new(),
            sending: None,
            events: VecDeque::new(),
            state: ConnectionState::New,
            selected: None,
            restarting: false,
            next_check_at: now,
            first_valid_at: None,
            consent_last: now,
            next_consent: now,
            now,
            rng,
            stats: IceStats::default(),
        })
    }

    /// The local credentials, to signal to the peer.
    pub fn local_credentials(&self) -> &Credentials {
        &self.local_credentials
    }

    /// The current role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The tie-breaker sent in ICE-CONTROLLING / ICE-CONTROLLED.
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// The connection state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The pair to send media over, if one is selected (and consent has not been lost).
    pub fn selected_pair(&self) -> Option<SelectedPair> {
        self.selected
    }

    /// Counters.
    pub fn stats(&self) -> IceStats {
        self.stats
    }

    /// The local candidates: host candidates, server-reflexive ones gathered from STUN servers, and
    /// peer-reflexive ones learned from check responses (those are not to be signalled; their base is the
    /// related address).
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.local_candidates
    }

    /// The states of the checklist's pairs, as (local address, remote address, state).
    pub fn pairs(&self) -> impl Iterator<Item = (SocketAddr, SocketAddr, PairState)> + '_ {
        self.pairs.iter().map(|p| {
            (
                self.local_candidates[p.local].addr,
                self.remote_candidates[p.remote].addr,
                p.state,
            )
        })
    }

    /// Adds a local host candidate (component 1). The caller receives on its address and sends what
    /// [`IceAgent::poll_transmit`] gives with that source.
    ///
    /// With [`AgentConfig::stun_servers`], the candidate also sends Binding requests to the servers of its
    /// address family; each answer adds a server-reflexive candidate, reported as [`IceEvent::LocalCandidate`],
    /// and [`IceEvent::GatheringComplete`] follows once every server answered or timed out.
    pub fn add_local_candidate(&mut self, candidate: Candidate) -> Result<(), IceError> {
        if candidate.kind != CandidateKind::Host {
            return Err(IceError::NotHostCandidate(candidate.addr));
        }
        if candidate.component != 1 {
            return Err(IceError::UnsupportedComponent(candidate.component));
        }
        if self.local_candidates.iter().any(|c| c.addr == candidate.addr) {
            return Ok(());
        }
        let base = candidate.addr;
        self.local_candidates.push(candidate);
        let local = self.local_candidates.len() - 1;
        for remote in 0..self.remote_candidates.len() {
            self.add_pair(local, remote);
        }
        if !self.config.ice_lite {
            let servers: Vec<SocketAddr> = self
                .config
                .stun_servers
                .iter()
                .filter(|s| s.is_ipv4() == base.is_ipv4())
                .copied()
                .collect();
            for server in servers {
                self.send_gather_request(base, server);
            }
        }
        Ok(())
    }

    /// A fresh transaction id from the agent's generator, or `None` (logged: no request goes out) if the OS
    /// generator failed. The request is then tried again later where that makes sense (a check at the next Ta,
    /// consent at the next interval).
    fn new_transaction_id(&mut self) -> Option<TransactionId> {
        match self.rng.transaction_id() {
            Ok(tid) => Some(tid),
            Err(e) => {
                debug!(%e, "no random transaction id: request not sent");
                None
            }
        }
    }

    fn send_gather_request(&mut self, base: SocketAddr, server: SocketAddr) {
        let Some(tid) = self.new_transaction_id() else { return };
        let software = self.config.software.as_deref();
        let request = build(tid, Class::Request, |b| {
            if let Some(s) = software {
                b.software(s)?;
            }
            Ok(())
        });
        if let Some(request) = request {
            trace!(%base, %server, "server-reflexive request");
            self.start_transaction(tid, TxKind::Gather, base, server, request);
        }
    }

    /// A request to a STUN server ended (answered or timed out): reports `GatheringComplete` if it was the
    /// last one.
    fn gather_request_ended(&mut self) {
        if !self.transactions.iter().any(|t| t.kind == TxKind::Gather) {
            debug!("gathering complete");
            self.events.push_back(IceEvent::GatheringComplete);
        }
    }

    /// The peer signalled `a=ice-lite` (`true`): it sends no checks, so this (full) agent takes the controlling
    /// role (RFC 8445 §6.1.1) and runs checks and nomination as usual. Call it before checks start. An ICE-lite
    /// agent of our own stays controlled.
    pub fn set_remote_ice_lite(&mut self, lite: bool) {
        self.remote_lite = lite;
        if lite && !self.config.ice_lite {
            self.set_role(Role::Controlling);
        }
    }

    /// Whether the peer said it is ICE-lite.
    pub fn remote_ice_lite(&self) -> bool {
        self.remote_lite
    }

    /// Whether this agent is ICE-lite ([`AgentConfig::ice_lite`]).
    pub fn is_ice_lite(&self) -> bool {
        self.config.ice_lite
    }

    /// Sets the remote credentials. Different credentials from earlier ones mean the peer restarted ICE: the
    /// remote candidates and the checklist are dropped (see [`IceAgent::restart`] for our side).
    pub fn set_remote_credentials(&mut self, credentials: Credentials) {
        if self.remote_credentials.as_ref().is_some_and(|c| *c != credentials) {
            debug!("remote credentials changed: remote ICE restart");
            self.reset_checks();
        }
        self.remote_credentials = Some(credentials);
        self.set_state(ConnectionState::Checking);
    }

    /// Adds a remote candidate (also trickled ones). Only UDP candidates of component 1 are used.
    pub fn add_remote_candidate(&mut self, candidate: Candidate) -> Result<(), IceError> {
        if candidate.component != 1 {
            return Err(IceError::UnsupportedComponent(candidate.component));
        }
        if let Some(existing) = self.remote_candidates.iter_mut().find(|c| c.addr == candidate.addr) {
            // A signalled candidate replaces a peer-reflexive one learned from a check (RFC 8445 §7.3.1.3).
            if existing.kind == CandidateKind::PeerReflexive && candidate.kind != CandidateKind::PeerReflexive {
                existing.kind = candidate.kind;
                existing.foundation = candidate.foundation;
            }
            return Ok(());
        }
        self.remote_candidates.push(candidate);
        let remote = self.remote_candidates.len() - 1;
        // Pairs are formed with host candidates only: a reflexive local candidate is replaced by its base, a
        // host candidate, whose pair exists already (RFC 8445 §6.1.2.4).
        for local in 0..self.local_candidates.len() {
            if self.local_candidates[local].kind == CandidateKind::Host {
                self.add_pair(local, remote);
            }
        }
        Ok(())
    }

    /// Adds a remote candidate whose address is a host name — the mDNS `.local` name a browser gives its host
    /// candidates. The agent resolves no names (that would take multicast DNS, which is outside this crate):
    /// the candidate is kept as unresolved ([`IceAgent::unresolved_remote_candidates`]), counted in
    /// [`IceStats::unresolved_remote_candidates`], and forms no pairs. The peer's checks still reach us and
    /// make its address known as a peer-reflexive candidate. Once the name is resolved elsewhere, add the
    /// candidate with its address through [`IceAgent::add_remote_candidate`].
    pub fn add_remote_unresolved_candidate(&mut self, candidate: UnresolvedCandidate) -> Result<(), IceError> {
        if candidate.component != 1 {
            return Err(IceError::UnsupportedComponent(candidate.component));
        }
        let known = self
            .unresolved_remote_candidates
            .iter()
            .any(|c| c.hostname.eq_ignore_ascii_case(&candidate.hostname) && c.port == candidate.port);
        if !known {
            debug!(hostname = %candidate.hostname, port = candidate.port, "remote candidate left unresolved");
            self.stats.unresolved_remote_candidates += 1;
            self.unresolved_remote_candidates.push(candidate);
        }
        Ok(())
    }

    /// The remote candidates signalled with a host name, which the agent keeps but cannot pair.
    pub fn unresolved_remote_candidates(&self) -> &[UnresolvedCandidate] {
        &self.unresolved_remote_candidates
    }

    /// The peer signalled end-of-candidates: once every pair has failed, the agent fails.
    pub fn set_remote_end_of_candidates(&mut self) {
        self.remote_end_of_candidates = true;
    }

    /// Restarts ICE (RFC 8445 §9) with fresh local credentials (random, or `credentials`): remote credentials and
    /// candidates must be given again, and checks start over. The selected pair stays usable for media until a
    /// new one is selected. If random credentials cannot be drawn, nothing changes and the error says why.
    pub fn restart(&mut self, credentials: Option<Credentials>) -> Result<(), IceError> {
        self.local_credentials = match credentials {
            Some(c) => c,
            None => Credentials::random_from(&mut self.rng)?,
        };
        self.remote_credentials = None;
        self.reset_checks();
        self.set_state(ConnectionState::Checking);
        Ok(())
    }

    fn reset_checks(&mut self) {
        self.remote_candidates.clear();
        self.unresolved_remote_candidates.clear();
        self.remote_end_of_candidates = false;
        self.pairs.clear();
        self.triggered.clear();
        // Requests to STUN servers do not depend on the peer: they go on.
        self.transactions.retain(|t| t.kind == TxKind::Gather);
        self.first_valid_at = None;
        self.restarting = self.selected.is_some();
    }

    fn add_pair(&mut self, local: usize, remote: usize) -> usize {
        let priority = self.priority_of(local, remote);
        let pair = Pair {
            local,
            remote,
            priority,
            state: PairState::Frozen,
            nominated: false,
            nominating: false,
            nominate_on_success: false,
            remote_validated: false,
            valid_local: None,
        };
        self.pairs.push(pair);
        let index = self.pairs.len() - 1;
        // The first pair of a foundation starts Waiting, the others Frozen (RFC 8445 §6.1.2.6).
        let foundation_active = self.pairs.iter().enumerate().any(|(i, p)| {
            i != index && self.same_foundation(i, index) && !matches!(p.state, PairState::Frozen | PairState::Failed)
        });
        if !foundation_active {
            self.pairs[index].state = PairState::Waiting;
        }
        index
    }

    fn priority_of(&self, local: usize, remote: usize) -> u64 {
        let (l, r) = (
            self.local_candidates[local].priority,
            self.remote_candidates[remote].priority,
        );
        match self.role {
            Role::Controlling => pair_priority(l, r),
            Role::Controlled => pair_priority(r, l),
        }
    }

    fn same_foundation(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.pairs[a], &self.pairs[b]);
        self.local_candidates[a.local].foundation == self.local_candidates[b.local].foundation
            && self.remote_candidates[a.remote].foundation == self.remote_candidates[b.remote].foundation
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            debug!(?state, "ICE connection state");
            self.state = state;
            self.events.push_back(IceEvent::ConnectionStateChanged(state));
        }
    }

    fn switch_role(&mut self, role: Role) {
        if self.role == role {
            return;
        }
        debug!(?role, "role conflict: switching role");
        self.stats.role_conflicts += 1;
        self.set_role(role);
    }

    /// Sets the role, as the signalling decides it (JSEP: the offerer controls, RFC 8829 §5.2.1), before
    /// checks start. Pair priorities are recomputed and [`IceEvent::RoleChanged`] is reported if it changed;
    /// an ICE-lite agent of our own stays controlled.
    pub fn set_signalled_role(&mut self, role: Role) {
        if !self.config.ice_lite {
            self.set_role(role);
        }
    }

    fn set_role(&mut self, role: Role) {
        if self.role == role {
            return;
        }
        self.role = role;
        for i in 0..self.pairs.len() {
            let p = &self.pairs[i];
            self.pairs[i].priority = self.priority_of(p.valid_local.unwrap_or(p.local), p.remote);
            self.pairs[i].nominating = false;
        }
        self.events.push_back(IceEvent::RoleChanged(role));
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        self.events.pop_front()
    }

    /// The next datagram to send, if any. It borrows the agent: send it before calling the agent again.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit<'_>> {
        self.now = self.now.max(now);
        self.sending = self.transmits.pop_front();
        self.sending.as_ref().map(|q| Transmit {
            source: q.source,
            destination: q.destination,
            contents: q.datagram.as_bytes(),
        })
    }

    /// When [`IceAgent::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut at = |i: Instant| t = Some(t.map_or(i, |t| t.min(i)));
        for tx in &self.transactions {
            at(tx.next_at);
        }
        if self.has_check_work() {
            at(self.next_check_at);
        }
        if let Some(deadline) = self.nomination_deadline() {
            at(deadline);
        }
        if self.selected.is_some() && !self.restarting {
            if !self.config.ice_lite {
                at(self.next_consent);
            }
            if self.state == ConnectionState::Connected {
                at(self.consent_last + self.config.disconnected_timeout);
            }
            at(self.consent_last + self.config.consent_timeout);
        }
        t
    }

    fn has_check_work(&self) -> bool {
        !self.config.ice_lite
            && self.remote_credentials.is_some()
            && (!self.triggered.is_empty()
                || self
                    .pairs
                    .iter()
                    .any(|p| matches!(p.state, PairState::Waiting | PairState::Frozen)))
    }

    fn nomination_deadline(&self) -> Option<Instant> {
        if self.role != Role::Controlling
            || self.pairs.iter().any(|p| p.nominated || p.nominating)
            || !self.pairs.iter().any(|p| p.state == PairState::Succeeded)
        {
            return None;
        }
        self.first_valid_at.map(|t| t + self.config.nomination_delay)
    }

    /// Handles time passing: retransmissions, paced checks, nomination, consent.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        let now = self.now;
        self.retransmit(now);
        if now >= self.next_check_at
            && self.has_check_work()
            && let Some(pair) = self.next_pair_to_check()
        {
            self.send_check(pair);
            self.next_check_at = now + self.config.ta;
        }
        self.maybe_nominate(now);
        self.consent(now);
        self.check_failed();
    }

    fn retransmit(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            let tx = &mut self.transactions[i];
            if tx.next_at > now {
                i += 1;
                continue;
            }
            if tx.transmissions >= self.config.max_transmissions {
                let tx = self.transactions.swap_remove(i);
                if tx.kind == TxKind::Gather {
                    debug!(server = %tx.remote, base = %tx.local, "STUN server did not answer");
                    self.gather_request_ended();
                }
                if let TxKind::Check { pair, .. } = tx.kind {
                    trace!(remote = %tx.remote, "check timed out");
                    let p = &mut self.pairs[pair];
                    p.nominating = false;
                    if p.state == PairState::InProgress {
                        p.state = PairState::Failed;
                    }
                }
                continue;
            }
            tx.transmissions += 1;
            tx.rto = (tx.rto * 2).min(self.config.max_rto);
            tx.next_at = now + tx.rto;
            let transmit = Queued {
                source: tx.local,
                destination: tx.remote,
                datagram: tx.request.clone(),
            };
            self.stats.retransmissions += 1;
            self.stats.stun_sent += 1;
            self.transmits.push_back(transmit);
            i += 1;
        }
    }

    fn next_pair_to_check(&mut self) -> Option<usize> {
        while let Some(p) = self.triggered.pop_front() {
            let pair = &self.pairs[p];
            let in_flight = self
                .transactions
                .iter()
                .any(|t| matches!(t.kind, TxKind::Check { pair, .. } if pair == p));
            if !in_flight && (pair.state == PairState::Waiting || pair.nominating) {
                return Some(p);
            }
        }
        let best = |state: PairState| {
            self.pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.state == state)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i)
        };
        best(PairState::Waiting).or_else(|| best(PairState::Frozen))
    }

    fn send_check(&mut self, pair: usize) {
        if self.remote_credentials.is_none() {
            return;
        }
        let Some(tid) = self.new_transaction_id() else { return };
        let Some(remote_credentials) = &self.remote_credentials else {
            return;
        };
        let p = &self.pairs[pair];
        let local = &self.local_candidates[p.local];
        let remote = self.remote_candidates[p.remote].addr;
        let use_candidate = self.role == Role::Controlling && p.nominating;
        let prflx_priority = candidate_priority(
            CandidateKind::PeerReflexive,
            (local.priority >> 8) as u16,
            local.component,
        );
        let local_ufrag = &self.local_credentials.ufrag;
        let role = self.role;
        let tie_breaker = self.tie_breaker;
        let source = local.addr;
        let request = build(tid, Class::Request, |b| {
            check_username(b, &remote_credentials.ufrag, local_ufrag)?;
            b.priority(prflx_priority)?;
            match role {
                Role::Controlling => b.ice_controlling(tie_breaker)?,
                Role::Controlled => b.ice_controlled(tie_breaker)?,
            };
            if use_candidate {
                b.use_candidate()?;
            }
            b.message_integrity(remote_credentials.pwd.as_bytes())?;
            Ok(())
        });
        let Some(request) = request else { return };
        trace!(%source, %remote, use_candidate, "connectivity check");
        if self.pairs[pair].state != PairState::Succeeded {
            self.pairs[pair].state = PairState::InProgress;
        }
        self.start_transaction(
            tid,
            TxKind::Check {
                pair,
                use_candidate,
                role,
                priority: prflx_priority,
            },
            source,
            remote,
            request,
        );
    }

    fn start_transaction(
        &mut self,
        tid: TransactionId,
        kind: TxKind,
        local: SocketAddr,
        remote: SocketAddr,
        request: Datagram,
    ) {
        let rto = self.config.initial_rto;
        self.transmits.push_back(Queued {
            source: local,
            destination: remote,
            datagram: request.clone(),
        });
        self.stats.stun_sent += 1;
        self.transactions.push(Transaction {
            tid,
            kind,
            local,
            remote,
            request,
            transmissions: 1,
            rto,
            next_at: self.now + rto,
        });
    }

    fn maybe_nominate(&mut self, now: Instant) {
        let Some(deadline) = self.nomination_deadline() else {
            return;
        };
        let Some((best, best_priority)) = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Succeeded)
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, p)| (i, p.priority))
        else {
            return;
        };
        let better_pending = self.pairs.iter().any(|p| {
            p.priority > best_priority
                && matches!(p.state, PairState::Frozen | PairState::Waiting | PairState::InProgress)
        });
        if better_pending && now < deadline {
            return;
        }
        debug!(pair = best, "nominating");
        self.pairs[best].nominating = true;
        self.triggered.push_front(best);
    }

    fn consent(&mut self, now: Instant) {
        let Some(selected) = self.selected else { return };
        if self.restarting {
            return;
        }
        let silent = now.saturating_duration_since(self.consent_last);
        if silent >= self.config.consent_timeout {
            debug!("consent lost");
            self.selected = None;
            self.transactions.retain(|t| t.kind != TxKind::Consent);
            self.set_state(ConnectionState::Failed);
            return;
        }
        if silent >= self.config.disconnected_timeout && self.state == ConnectionState::Connected {
            self.set_state(ConnectionState::Disconnected);
        }
        // An ICE-lite agent sends no checks: the peer's consent checks, which refresh `consent_last`, keep
        // the pair alive.
        if now >= self.next_consent && !self.config.ice_lite {
            self.next_consent = now + self.rng.jitter(self.config.consent_interval);
            if self.remote_credentials.is_none() {
                return;
            }
            let Some(tid) = self.new_transaction_id() else { return };
            let Some(remote_credentials) = &self.remote_credentials else {
                return;
            };
            let local_ufrag = &self.local_credentials.ufrag;
            let (role, tie_breaker) = (self.role, self.tie_breaker);
            let priority = self
                .local_candidates
                .iter()
                .find(|c| c.addr == selected.local)
                .map_or(0, |c| {
                    candidate_priority(CandidateKind::PeerReflexive, (c.priority >> 8) as u16, 1)
                });
            let request = build(tid, Class::Request, |b| {
                check_username(b, &remote_credentials.ufrag, local_ufrag)?;
                b.priority(priority)?;
                match role {
                    Role::Controlling => b.ice_controlling(tie_breaker)?,
                    Role::Controlled => b.ice_controlled(tie_breaker)?,
                };
                b.message_integrity(remote_credentials.pwd.as_bytes())?;
                Ok(())
            });
            if let Some(request) = request {
                trace!("consent check");
                self.start_transaction(tid, TxKind::Consent, selected.local, selected.remote, request);
            }
        }
    }

    fn check_failed(&mut self) {
        if self.selected.is_none()
            && self.remote_end_of_candidates
            && !self.pairs.is_empty()
            && self.pairs.iter().all(|p| p.state == PairState::Failed)
            && !self.transactions.iter().any(|t| t.kind != TxKind::Gather)
        {
            self.set_state(ConnectionState::Failed);
        }
    }

    /// Whether `m` is a response to one of our requests to a STUN server.
    fn is_gather_response(&self, m: &Message<'_>) -> bool {
        m.class() != Class::Request
            && m.class() != Class::Indication
            && self
                .transactions
                .iter()
                .any(|t| t.kind == TxKind::Gather && t.tid == m.transaction_id())
    }

    /// Counts a dropped datagram under its reason and says so.
    fn dropped<'a>(&mut self, reason: DropReason) -> Received<'a> {
        let counter = match reason {
            DropReason::Malformed(_) => &mut self.stats.malformed,
            DropReason::BadFingerprint => &mut self.stats.fingerprint_failures,
            DropReason::BadIntegrity => &mut self.stats.integrity_failures,
            DropReason::UnsupportedMethod => &mut self.stats.unsupported_method,
            DropReason::UnknownTransaction => &mut self.stats.unmatched_responses,
            DropReason::UnknownLocalAddress => &mut self.stats.unknown_local_address,
            DropReason::NotOnValidPair => &mut self.stats.data_dropped,
        };
        *counter += 1;
        Received::Dropped(reason)
    }

    /// Handles a datagram that arrived on `local` (one of the local candidates' addresses) from `remote`.
    /// STUN is consumed; other data is returned if it came over a valid pair.
    pub fn handle_receive<'a>(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        datagram: &'a [u8],
    ) -> Received<'a> {
        self.now = self.now.max(now);
        if !is_stun(datagram) {
            let valid = self.selected.is_some_and(|s| s.local == local && s.remote == remote)
                || self.pairs.iter().any(|p| {
                    (p.state == PairState::Succeeded || p.remote_validated)
                        && self.local_candidates[p.local].addr == local
                        && self.remote_candidates[p.remote].addr == remote
                });
            if valid {
                self.stats.data_received += 1;
                return Received::Data(datagram);
            }
            return self.dropped(DropReason::NotOnValidPair);
        }
        let message = match Message::parse(datagram) {
            Ok(m) => m,
            Err(e) => {
                return self.dropped(DropReason::Malformed(e));
            }
        };
        self.stats.stun_received += 1;
        // ICE requires FINGERPRINT on checks (RFC 8445 §7.1); for plain STUN it is optional (RFC 8489 §14.7),
        // so a STUN server's answer may come without.
        match message.verify_fingerprint() {
            Ok(()) => {}
            Err(StunError::FingerprintMissing) if self.is_gather_response(&message) => {}
            Err(_) => return self.dropped(DropReason::BadFingerprint),
        }
        if message.method() != Method::BINDING {
            return self.dropped(DropReason::UnsupportedMethod);
        }
        match message.class() {
            Class::Request => self.handle_request(local, remote, &message),
            Class::SuccessResponse | Class::ErrorResponse => {
                let received = self.handle_response(local, remote, &message);
                // A response that failed the last pair leaves no timer to notice it by.
                self.check_failed();
                received
            }
            Class::Indication => Received::Stun,
        }
    }

    fn respond(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        request: &Message<'_>,
        error: Option<(u16, &str)>,
        unknown: &[AttributeType],
    ) {
        let tid = request.transaction_id();
        let pwd = &self.local_credentials.pwd;
        let software = self.config.software.as_deref();
        let class = if error.is_some() {
            Class::ErrorResponse
        } else {
            Class::SuccessResponse
        };
        let response = build(tid, class, |b| {
            if let Some(s) = software {
                b.software(s)?;
            }
            match error {
                Some((code, reason)) => {
                    b.error_code(code, reason)?;
                    if !unknown.is_empty() {
                        b.unknown_attributes(unknown)?;
                    }
                }
                None => {
                    b.xor_mapped_address(remote)?;
                }
            }
            // 400 and 401 go without MESSAGE-INTEGRITY: the request could not be authenticated.
            if !matches!(error, Some((ErrorCode::BAD_REQUEST | ErrorCode::UNAUTHENTICATED, _))) {
                b.message_integrity(pwd.as_bytes())?;
            }
            Ok(())
        });
        if let Some(datagram) = response {
            self.stats.stun_sent += 1;
            self.transmits.push_back(Queued {
                source: local,
                destination: remote,
                datagram,
            });
        }
    }

    fn handle_request<'a>(&mut self, local: SocketAddr, remote: SocketAddr, m: &Message<'_>) -> Received<'a> {
        let Some(local_index) = self
            .local_candidates
            .iter()
            .position(|c| c.addr == local && c.kind == CandidateKind::Host)
        else {
            return self.dropped(DropReason::UnknownLocalAddress);
        };
        let Some(username) = m.username() else {
            self.respond(local, remote, m, Some((ErrorCode::BAD_REQUEST, "Bad Request")), &[]);
            return Received::Stun;
        };
        let ours = username
            .split_once(':')
            .is_some_and(|(l, _)| l == self.local_credentials.ufrag);
        if !ours || m.verify_integrity(self.local_credentials.pwd.as_bytes()).is_err() {
            return self.dropped(DropReason::BadIntegrity);
        }
        let unknown: Vec<_> = m.unknown_comprehension_required().collect();
        if !unknown.is_empty() {
            self.respond(
                local,
                remote,
                m,
                Some((ErrorCode::UNKNOWN_ATTRIBUTE, "Unknown Attribute")),
                &unknown,
            );
            return Received::Stun;
        }
        let Some(priority) = m.priority() else {
            self.respond(local, remote, m, Some((ErrorCode::BAD_REQUEST, "Bad Request")), &[]);
            return Received::Stun;
        };
        if self.role_conflict(m) {
            self.stats.role_conflicts += 1;
            self.respond(local, remote, m, Some((ErrorCode::ROLE_CONFLICT, "Role Conflict")), &[]);
            return Received::Stun;
        }
        self.respond(local, remote, m, None, &[]);

        let remote_index = if let Some(i) = self.remote_candidates.iter().position(|c| c.addr == remote) {
            i
        } else {
            debug!(%remote, "peer-reflexive remote candidate");
            self.remote_candidates
                .push(Candidate::peer_reflexive(remote, priority, 1));
            self.remote_candidates.len() - 1
        };
        let pair = match self
            .pairs
            .iter()
            .position(|p| p.local == local_index && p.remote == remote_index)
        {
            Some(p) => p,
            None => self.add_pair(local_index, remote_index),
        };
        let use_candidate = m.use_candidate() && self.role == Role::Controlled;
        if self.config.ice_lite {
            // No checks of our own: an authenticated request makes the pair valid, USE-CANDIDATE selects it,
            // and requests over the selected pair are the consent we get.
            let p = &mut self.pairs[pair];
            p.remote_validated = true;
            p.state = PairState::Succeeded;
            if self.selected == Some(SelectedPair { local, remote }) && !self.restarting {
                self.consent_last = self.now;
                if self.state == ConnectionState::Disconnected {
                    self.set_state(ConnectionState::Connected);
                }
            } else if use_candidate {
                self.nominate(pair);
            }
            return Received::Stun;
        }
        let p = &mut self.pairs[pair];
        p.remote_validated = true;
        match p.state {
            PairState::Succeeded => {
                if use_candidate {
                    self.nominate(pair);
                }
            }
            PairState::InProgress => p.nominate_on_success |= use_candidate,
            PairState::Frozen | PairState::Waiting | PairState::Failed => {
                p.nominate_on_success |= use_candidate;
                p.state = PairState::Waiting;
                if !self.triggered.contains(&pair) {
                    self.triggered.push_back(pair);
                }
            }
        }
        Received::Stun
    }

    /// Resolves a role conflict a request shows (RFC 8445 §7.3.1.1): switches our role, or returns `true` when
    /// the peer must switch (answer 487). An ICE-lite agent is always controlled: a peer that thinks it is
    /// controlled too is told to switch.
    fn role_conflict(&mut self, m: &Message<'_>) -> bool {
        if self.config.ice_lite {
            return m.ice_controlled().is_some();
        }
        match (self.role, m.ice_controlling(), m.ice_controlled()) {
            (Role::Controlling, Some(theirs), _) => {
                if self.tie_breaker >= theirs {
                    return true;
                }
                self.switch_role(Role::Controlled);
            }
            (Role::Controlled, _, Some(theirs)) => {
                if self.tie_breaker < theirs {
                    return true;
                }
                self.switch_role(Role::Controlling);
            }
            _ => {}
        }
        false
    }

    fn handle_response<'a>(&mut self, local: SocketAddr, remote: SocketAddr, m: &Message<'_>) -> Received<'a> {
        let tid = m.transaction_id();
        let Some(index) = self.transactions.iter().position(|t| t.tid == tid) else {
            return self.dropped(DropReason::UnknownTransaction);
        };
        if self.transactions[index].kind == TxKind::Gather {
            return self.handle_gather_response(index, local, remote, m);
        }
        let Some(remote_credentials) = &self.remote_credentials else {
            return self.dropped(DropReason::UnknownTransaction);
        };
        match m.verify_integrity(remote_credentials.pwd.as_bytes()) {
            Ok(()) => {}
            // 400 and 401 answer requests the peer could not authenticate: they carry no MESSAGE-INTEGRITY
            // (RFC 8489 §9.1.3), and retransmitting the same request will not change the answer.
            Err(StunError::IntegrityMissing)
                if m.class() == Class::ErrorResponse
                    && m.error_code()
                        .is_some_and(|e| matches!(e.code, ErrorCode::BAD_REQUEST | ErrorCode::UNAUTHENTICATED)) =>
            {
                return self.handle_unauthenticated_error(index, local, remote, m);
            }
            Err(_) => return self.dropped(DropReason::BadIntegrity),
        }
        // Responses must come back over the same addresses (RFC 8445 §7.2.5.2.1; for consent RFC 7675 §5.1).
        let tx = &self.transactions[index];
        if tx.local != local || tx.remote != remote {
            let TxKind::Check { pair, .. } = tx.kind else {
                // Not consent for the selected pair: the request stays outstanding.
                return self.dropped(DropReason::UnknownTransaction);
            };
            self.transactions.swap_remove(index);
            self.pairs[pair].state = PairState::Failed;
            self.pairs[pair].nominating = false;
            return Received::Stun;
        }
        let tx = self.transactions.swap_remove(index);
        let TxKind::Check {
            pair,
            use_candidate,
            role,
            priority,
        } = tx.kind
        else {
            if m.class() == Class::SuccessResponse {
                self.consent_last = self.now;
                if self.state == ConnectionState::Disconnected {
                    self.set_state(ConnectionState::Connected);
                }
            }
            return Received::Stun;
        };
        if m.class() == Class::ErrorResponse {
            if m.error_code().is_some_and(|e| e.code == ErrorCode::ROLE_CONFLICT) {
                self.stats.role_conflicts += 1;
                if self.role == role {
                    self.switch_role(role.flip());
                }
                self.pairs[pair].state = PairState::Waiting;
                self.triggered.push_back(pair);
            } else {
                self.pairs[pair].state = PairState::Failed;
                self.pairs[pair].nominating = false;
            }
            return Received::Stun;
        }
        // The mapped address names the valid pair's local candidate; one we do not know is a peer-reflexive
        // candidate of this base, with the priority the request carried (RFC 8445 §7.2.5.3.1, §7.2.5.3.2).
        if let Some(mapped) = m.xor_mapped_address()
            && mapped != local
        {
            let known = self
                .local_candidates
                .iter()
                .position(|c| c.addr == mapped && c.kind != CandidateKind::Host);
            let valid_local = known.unwrap_or_else(|| {
                debug!(%mapped, base = %local, "peer-reflexive local candidate");
                let mut candidate = Candidate::peer_reflexive(mapped, priority, 1);
                candidate.related = Some(local);
                self.local_candidates.push(candidate);
                self.local_candidates.len() - 1
            });
            let remote_index = self.pairs[pair].remote;
            self.pairs[pair].valid_local = Some(valid_local);
            self.pairs[pair].priority = self.priority_of(valid_local, remote_index);
        }
        let p = &mut self.pairs[pair];
        p.state = PairState::Succeeded;
        p.nominating = false;
        let nominate = (use_candidate && self.role == Role::Controlling)
            || (p.nominate_on_success && self.role == Role::Controlled);
        if self.first_valid_at.is_none() {
            self.first_valid_at = Some(self.now);
        }
        if self.selected.is_some_and(|s| s.local == local && s.remote == remote) {
            self.consent_last = self.now;
        }
        // Unfreeze pairs of the same foundation (RFC 8445 §7.2.5.3.3).
        for other in 0..self.pairs.len() {
            if self.pairs[other].state == PairState::Frozen && self.same_foundation(other, pair) {
                self.pairs[other].state = PairState::Waiting;
            }
        }
        if nominate {
            self.nominate(pair);
        }
        Received::Stun
    }

    /// Removes transaction `index` if the response came over the request's addresses (RFC 8445 §7.2.5.2.1:
    /// a response from elsewhere is not an answer).
    fn take_transaction(&mut self, index: usize, local: SocketAddr, remote: SocketAddr) -> Option<Transaction> {
        let tx = &self.transactions[index];
        (tx.local == local && tx.remote == remote).then(|| self.transactions.swap_remove(index))
    }

    /// A 400 or 401 without MESSAGE-INTEGRITY answered transaction `index`: if it came over the request's
    /// addresses, the transaction ends at once — a check fails, a consent request counts as unanswered.
    fn handle_unauthenticated_error<'a>(
        &mut self,
        index: usize,
        local: SocketAddr,
        remote: SocketAddr,
        m: &Message<'_>,
    ) -> Received<'a> {
        let Some(tx) = self.take_transaction(index, local, remote) else {
            return self.dropped(DropReason::UnknownTransaction);
        };
        debug!(%remote, error = ?m.error_code(), "request rejected as unauthenticated");
        if let TxKind::Check { pair, .. } = tx.kind {
            let p = &mut self.pairs[pair];
            p.state = PairState::Failed;
            p.nominating = false;
        }
        Received::Stun
    }

    /// A STUN server answered a request from host candidate `tx.local`: a success adds a server-reflexive
    /// candidate unless the mapped address is the base itself (no NAT) or already known.
    fn handle_gather_response<'a>(
        &mut self,
        index: usize,
        local: SocketAddr,
        remote: SocketAddr,
        m: &Message<'_>,
    ) -> Received<'a> {
        let Some(tx) = self.take_transaction(index, local, remote) else {
            return self.dropped(DropReason::UnknownTransaction);
        };
        let mapped = m.xor_mapped_address().or_else(|| m.mapped_address());
        match (m.class(), mapped) {
            (Class::SuccessResponse, Some(mapped)) => {
                let base = self.local_candidates.iter().find(|c| c.addr == tx.local).cloned();
                if let Some(base) = base
                    && mapped != base.addr
                    && !self.local_candidates.iter().any(|c| c.addr == mapped)
                {
                    let candidate = Candidate::server_reflexive(mapped, &base);
                    debug!(%mapped, base = %base.addr, server = %tx.remote, "server-reflexive candidate");
                    self.local_candidates.push(candidate.clone());
                    self.events.push_back(IceEvent::LocalCandidate(candidate));
                }
            }
            (class, _) => {
                debug!(server = %tx.remote, ?class, error = ?m.error_code(), "STUN server gave no mapped address");
            }
        }
        self.gather_request_ended();
        Received::Stun
    }

    fn nominate(&mut self, pair: usize) {
        self.pairs[pair].nominated = true;
        let p = &self.pairs[pair];
        let candidate = SelectedPair {
            local: self.local_candidates[p.local].addr,
            remote: self.remote_candidates[p.remote].addr,
        };
        let better_nominated = self.pairs.iter().any(|o| o.nominated && o.priority > p.priority)
            && self.selected.is_some()
            && !self.restarting;
        if better_nominated || self.selected == Some(candidate) && !self.restarting {
            return;
        }
        debug!(local = %candidate.local, remote = %candidate.remote, "selected pair");
        self.restarting = false;
        self.selected = Some(candidate);
        self.consent_last = self.now;
        self.next_consent = self.now + self.rng.jitter(self.config.consent_interval);
        self.events.push_back(IceEvent::SelectedPairChanged(candidate));
        self.set_state(ConnectionState::Connected);
    }
}

/// Builds a Binding message with `fill`'s attributes, then FINGERPRINT. `None` (logged) if it does not fit,
/// which would be a bug: every value the agent writes is bounded.
fn build(
    tid: TransactionId,
    class: Class,
    fill: impl FnOnce(&mut MessageBuilder<'_>) -> Result<(), StunError>,
) -> Option<Datagram> {
    let mut datagram = Datagram {
        buf: [0u8; MAX_STUN],
        len: 0,
    };
    let result = MessageBuilder::new(&mut datagram.buf, Method::BINDING, class, tid).and_then(|mut b| {
        fill(&mut b)?;
        b.fingerprint()?;
        Ok(b.finish())
    });
    match result {
        Ok(len) => {
            datagram.len = len;
            Some(datagram)
        }
        Err(e) => {
            debug!(%e, "could not build a STUN message");
            None
        }
    }
}

/// Adds the USERNAME of a check, `remote:local` (RFC 8445 §7.2.2), assembled on the stack.
fn check_username(b: &mut MessageBuilder<'_>, remote_ufrag: &str, local_ufrag: &str) -> Result<(), StunError> {
    const MAX: usize = 513;
    let len = remote_ufrag.len() + 1 + local_ufrag.len();
    let mut buf = [0u8; MAX];
    let out = buf.get_mut(..len).ok_or(StunError::ValueTooLong {
        attr: AttributeType::USERNAME,
        len,
        max: MAX,
    })?;
    let (remote, rest) = out.split_at_mut(remote_ufrag.len());
    remote.copy_from_slice(remote_ufrag.as_bytes());
    rest[0] = b':';
    rest[1..].copy_from_slice(local_ufrag.as_bytes());
    b.attribute(AttributeType::USERNAME, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_generator_is_an_error_not_fixed_credentials() {
        assert!(matches!(
            Credentials::random_from(&mut Rng::Failing),
            Err(IceError::Random(_))
        ));
        let now = Instant::now();
        let err = IceAgent::with_rng(AgentConfig::new(Role::Controlling), now, Rng::Failing).unwrap_err();
        assert!(matches!(err, IceError::Random(_)), "{err:?}");
        // Given credentials do not help: the tie-breaker must be random too.
        let mut config = AgentConfig::new(Role::Controlled);
        config.credentials = Some(Credentials::new("ufrg", "0123456789012345678901").unwrap());
        assert!(matches!(
            IceAgent::with_rng(config, now, Rng::Failing),
            Err(IceError::Random(_))
        ));
    }

    #[test]
    fn a_restart_without_randomness_changes_nothing() {
        let now = Instant::now();
        let mut agent = IceAgent::with_rng(AgentConfig::new(Role::Controlling), now, Rng::Seeded(3)).unwrap();
        let before = agent.local_credentials().clone();
        agent.rng = Rng::Failing;
        assert!(matches!(agent.restart(None), Err(IceError::Random(_))));
        assert_eq!(agent.local_credentials(), &before);
        assert_eq!(agent.state(), ConnectionState::New);
    }
}
