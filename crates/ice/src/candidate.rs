//! ICE candidates (RFC 8445 §5.1): kinds, priorities, and the SDP `candidate` attribute form.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use crate::IceError;

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

    fn as_str(self) -> &'static str {
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

/// Pair priority (RFC 8445 §6.1.2.3): `2^32 * min(G, D) + 2 * max(G, D) + (G > D ? 1 : 0)`, where `G` is the
/// controlling agent's candidate priority and `D` the controlled agent's.
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    (g.min(d) << 32) + 2 * g.max(d) + u64::from(g > d)
}

/// A UDP candidate.
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

/// The SDP `candidate-attribute` value without the `candidate:` prefix, e.g.
/// `1 1 udp 2130706431 127.0.0.1 5000 typ host`.
impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} udp {} {} {} typ {}",
            self.foundation,
            self.component,
            self.priority,
            self.addr.ip(),
            self.addr.port(),
            self.kind.as_str()
        )?;
        if let Some(r) = self.related {
            write!(f, " raddr {} rport {}", r.ip(), r.port())?;
        }
        Ok(())
    }
}

/// Parses the SDP `candidate-attribute` value, with or without the `candidate:` prefix. Only UDP candidates
/// are accepted; extension attributes after the mandatory fields are ignored.
impl FromStr for Candidate {
    type Err = IceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason| IceError::BadCandidate {
            input: s.to_owned(),
            reason,
        };
        let body = s.trim().strip_prefix("a=").unwrap_or(s.trim());
        let body = body.strip_prefix("candidate:").unwrap_or(body);
        let mut it = body.split_ascii_whitespace();
        let foundation = it.next().ok_or_else(|| bad("missing foundation"))?.to_owned();
        let component = it
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad("bad component"))?;
        if !it.next().is_some_and(|t| t.eq_ignore_ascii_case("udp")) {
            return Err(bad("transport is not UDP"));
        }
        let priority = it
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| bad("bad priority"))?;
        let ip: IpAddr = it
            .next()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| bad("bad connection address"))?;
        let port: u16 = it.next().and_then(|p| p.parse().ok()).ok_or_else(|| bad("bad port"))?;
        if it.next() != Some("typ") {
            return Err(bad("missing typ"));
        }
        let kind = match it.next() {
            Some("host") => CandidateKind::Host,
            Some("prflx") => CandidateKind::PeerReflexive,
            Some("srflx") => CandidateKind::ServerReflexive,
            Some("relay") => CandidateKind::Relayed,
            _ => return Err(bad("unknown candidate type")),
        };
        let mut related_ip = None;
        let mut related_port = None;
        while let Some(key) = it.next() {
            let value = it.next();
            match key {
                "raddr" => related_ip = value.and_then(|v| v.parse::<IpAddr>().ok()),
                "rport" => related_port = value.and_then(|v| v.parse::<u16>().ok()),
                _ => {}
            }
        }
        let related = related_ip.zip(related_port).map(|(i, p)| SocketAddr::new(i, p));
        Ok(Self {
            foundation,
            component,
            priority,
            addr: SocketAddr::new(ip, port),
            kind,
            related,
        })
    }
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

    #[test]
    fn sdp_round_trip() {
        let c = Candidate::host("127.0.0.1:5000".parse().unwrap());
        let text = c.to_string();
        assert_eq!(text.parse::<Candidate>().unwrap(), c);
        let s: Candidate =
            "candidate:abc 1 UDP 1694498815 203.0.113.7 6000 typ srflx raddr 10.0.0.2 rport 5000 generation 0"
                .parse()
                .unwrap();
        assert_eq!(s.kind, CandidateKind::ServerReflexive);
        assert_eq!(s.related, Some("10.0.0.2:5000".parse().unwrap()));
        assert!("1 1 tcp 1 1.2.3.4 5 typ host".parse::<Candidate>().is_err());
        assert!("1 1 udp 1 1.2.3.4 5 typ bogus".parse::<Candidate>().is_err());
        assert!("".parse::<Candidate>().is_err());
    }
}
