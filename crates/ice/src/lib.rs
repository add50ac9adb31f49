//! STUN and ICE for WebRTC, sans-IO.
//!
//! - [`stun`]: STUN messages (RFC 8489) — a zero-copy [`stun::Message`] view that never panics on bad input,
//!   a [`stun::MessageBuilder`] that writes into a caller's buffer, MESSAGE-INTEGRITY (HMAC-SHA1, short-term
//!   credentials) and FINGERPRINT checks.
//! - [`IceAgent`]: an ICE agent (RFC 8445) for one component, sans-IO in the quinn-proto shape —
//!   [`IceAgent::handle_receive`], [`IceAgent::handle_timeout`], [`IceAgent::poll_transmit`],
//!   [`IceAgent::poll_timeout`], [`IceAgent::poll_event`]. Host candidates come from the caller
//!   ([`host_addresses`] lists interface addresses); server-reflexive ones from STUN servers
//!   ([`AgentConfig::stun_servers`], reported as [`IceEvent::LocalCandidate`]) and peer-reflexive ones from
//!   check responses; remote candidates may trickle. Candidates are typed values ([`Candidate`]): the SDP
//!   `candidate` line is parsed and written by `ortc-sdp`. Remote candidates named by an mDNS `.local` host name
//!   are kept as [`UnresolvedCandidate`]s and counted, but not paired: this crate resolves no names. Checks are
//!   paced (Ta), retransmitted, triggered; the controlling side nominates (regular nomination), the controlled side accepts
//!   nominations; role conflicts resolve with 487; consent freshness (RFC 7675) and ICE restarts are handled.
//!   Non-STUN datagrams over a valid pair come back from `handle_receive` as [`Received::Data`], uncopied;
//!   datagrams to send are lent by `poll_transmit` from storage the agent reuses, so once connected (consent
//!   checks, answering checks, data passing through) nothing is allocated per datagram.
//!   The agent can run as ICE-lite ([`AgentConfig::ice_lite`]), and controls a peer that is
//!   ([`IceAgent::set_remote_ice_lite`]).
//!
//! # Example
//!
//! ```
//! use ortc_ice::stun::{Class, Message, MessageBuilder, Method, TransactionId};
//!
//! let mut buf = [0u8; 128];
//! let mut builder = MessageBuilder::new(&mut buf, Method::BINDING, Class::Request, TransactionId([7; 12]))?;
//! builder.username("remote:local")?.priority(0x6e00_01ff)?.message_integrity(b"password")?.fingerprint()?;
//! let len = builder.finish();
//!
//! let message = Message::parse(&buf[..len])?;
//! message.verify_fingerprint()?;
//! message.verify_integrity(b"password")?;
//! assert_eq!(message.username(), Some("remote:local"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod agent;
mod candidate;
mod error;
mod net;
mod random;
pub mod stun;

pub use agent::{
    AgentConfig, ConnectionState, Credentials, DropReason, IceAgent, IceEvent, IceStats, PairState, Received, Role,
    SelectedPair, Transmit,
};
pub use candidate::{Candidate, CandidateKind, UnresolvedCandidate, candidate_priority, pair_priority};
pub use net::host_addresses;

pub use error::{IceError, StunError};
