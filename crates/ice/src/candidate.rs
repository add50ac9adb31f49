//! ICE candidates (RFC 8445 §5.1): kinds, priorities, foundations.
//!
//! The SDP `candidate` attribute is parsed and written by the SDP layer (`ortc-sdp`), which owns that grammar;
//! here candidates are typed values, and the facade converts between the two.

use std::net::{IpAddr, SocketAddr};

/// The kind of a candidate, which sets its type preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// An address on a local interface.
    Host,
    /// An address learned from a peer's checks (RFC 8445 §7.2.5.3.1, §7.3.1.3).
    PeerReflexive,
    /// An address a STUN server saw.
    ServerReflexive,
    /// An address on a TURN relay.
    Relayed,
}

impl CandidateKind {
    /// The recommended type preference (RFC 8445 §5.1.2.2).
    pub fn type_preference(self) -> u32 {
        match self {
            Self::Host => 126,
            Self::PeerReflexive => 110,
            Self::ServerReflexive => 100,
            Self::Relayed => 0,
        }
    }

    /// The SDP `typ` token (`host`, `prflx`, `srflx`, `relay`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::PeerReflexive => "prflx",
            Self::ServerReflexive => "srflx",
            Self::Relayed => "relay",
        }
    }
}

/// Candidate priority (RFC 8445 §5.1.2.1): `2^24 * type preference + 2^8 * local preference + (256 - component)`.
pub fn candidate_priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    (kind.type_preference() << 24) + (u32::from(local_preference) << 8) + (256 - u32::from(component.clamp(1, 256)))
}

/// A remote candidate whose connection address is a host name rather than an IP address — in practice the
/// multicast DNS `.local` name browsers put on host candidates to hide local addresses (RFC 8839 §5.1 allows an
/// FQDN). The agent does no name resolution: it keeps such candidates, reports them as unresolved
/// ([`crate::IceAgent::unresolved_remote_candidates`], [`crate::IceStats::unresolved_remote_candidates`]) and
/// pairs nothing with them; connectivity then comes from the peer's checks (peer-reflexive candidates).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnresolvedCandidate {
    /// The foundation.
    pub foundation: String,
    /// The component.
    pub component: u16,
    /// The priority.
    pub priority: u32,
    /// The host name, e.g. `1f4712db-ea17-4bcf-a596-105139dfd8bf.local`.
    pub hostname: String,
    /// The port.
    pub port: u16,
    /// The kind.
    pub kind: CandidateKind,
}

impl UnresolvedCandidate {
    /// Whether the name is a multicast DNS one (ends in `.local`).
    pub fn is_mdns(&self) -> bool {
        self.hostname.len() > ".local".len()
            && self.hostname.as_bytes()[self.hostname.len() - 6..].eq_ignore_ascii_case(b".local")
    }
}

/// Pair priority (RFC 8445 §6.1.2.3): `2^32 * min(G, D) + 2 * max(G, D) + (G > D ? 1 : 0)`, where `G` is the
/// controlling agent's candidate priority and `D` the controlled agent's.
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    (g.min(d) << 32) + 2 * g.max(d) + u64::from(g > d)
}

/// A UDP candidate whose address is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The foundation: equal for candidates of the same kind, base and server.
    pub foundation: String,
    /// The component (1 for RTP, or everything with rtcp-mux).
    pub component: u16,
    /// The priority.
    pub priority: u32,
    /// The transport address.
    pub addr: SocketAddr,
    /// The kind.
    pub kind: CandidateKind,
    /// The related address (`raddr`/`rport`), for non-host candidates.
    pub related: Option<SocketAddr>,
}

impl Candidate {
    /// A candidate from its signalled fields (for a remote candidate: what the peer's `a=candidate` says).
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        priority: u32,
        addr: SocketAddr,
        kind: CandidateKind,
        related: Option<SocketAddr>,
    ) -> Self {
        Self {
            foundation: foundation.into(),
            component,
            priority,
            addr,
            kind,
            related,
        }
    }

    /// A host candidate for component 1 with the highest local preference, its foundation derived from the
    /// address (candidates of one interface share a foundation).
    pub fn host(addr: SocketAddr) -> Self {
        Self::host_with_preference(addr, 65535)
    }

    /// A host candidate for component 1 with a given local preference (to order several interfaces).
    pub fn host_with_preference(addr: SocketAddr, local_preference: u16) -> Self {
        Self {
            foundation: foundation_for(CandidateKind::Host, addr.ip()),
            component: 1,
            priority: candidate_priority(CandidateKind::Host, local_preference, 1),
            addr,
            kind: CandidateKind::Host,
            related: None,
        }
    }

    /// A server-reflexive candidate `addr` that a STUN server saw for host candidate `base` (the related
    /// address), with the base's local preference.
    pub(crate) fn server_reflexive(addr: SocketAddr, base: &Candidate) -> Self {
        Self {
            foundation: foundation_for(CandidateKind::ServerReflexive, base.addr.ip()),
            component: base.component,
            priority: candidate_priority(
                CandidateKind::ServerReflexive,
                (base.priority >> 8) as u16,
                base.component,
            ),
            addr,
            kind: CandidateKind::ServerReflexive,
            related: Some(base.addr),
        }
    }

    /// A peer-reflexive candidate learned from a check.
    pub(crate) fn peer_reflexive(addr: SocketAddr, priority: u32, component: u16) -> Self {
        Self {
            foundation: foundation_for(CandidateKind::PeerReflexive, addr.ip()),
            component,
            priority,
            addr,
            kind: CandidateKind::PeerReflexive,
            related: None,
        }
    }
}

fn foundation_for(kind: CandidateKind, ip: IpAddr) -> String {
    // FNV-1a over kind and base address: stable, short, ice-chars only.
    let mut h: u32 = 0x811c_9dc5;
    let octets: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    for b in kind.as_str().bytes().chain(octets) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities() {
        assert_eq!(candidate_priority(CandidateKind::Host, 65535, 1), 2_130_706_431);
        assert_eq!(
            candidate_priority(CandidateKind::PeerReflexive, 65535, 1),
            1_862_270_975
        );
        assert_eq!(candidate_priority(CandidateKind::Relayed, 0, 2), 254);
        assert_eq!(pair_priority(1, 2), (1u64 << 32) + 4);
        assert_eq!(pair_priority(2, 1), (1u64 << 32) + 5);
    }
}
