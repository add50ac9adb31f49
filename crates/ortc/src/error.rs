//! The errors of this crate, named after the W3C `DOMException`s `RTCPeerConnection` throws.

use crate::SignalingState;

/// Why a call on a [`PeerConnectionCore`](crate::PeerConnectionCore) was refused or failed.
///
/// The variants are the W3C exception names ([`Error::name`] gives them as strings); each carries what was
/// wrong with which input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `InvalidStateError`: the call is not allowed in the current state.
    #[error("InvalidStateError: {0}")]
    InvalidState(#[from] InvalidStateError),
    /// `InvalidAccessError`: a description parsed but is not one this connection can use.
    #[error("InvalidAccessError: {0}")]
    InvalidAccess(#[from] InvalidAccessError),
    /// `OperationError`: the operation failed in a lower layer, or there is nothing in common to negotiate.
    #[error("OperationError: {0}")]
    Operation(#[from] OperationError),
    /// `SyntaxError`: the SDP does not parse; the error names the 1-based line and its text.
    #[error("SyntaxError: {0}")]
    Syntax(#[from] ortc_sdp::SdpError),
}

impl Error {
    /// The W3C exception name: `InvalidStateError`, `InvalidAccessError`, `OperationError` or `SyntaxError`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidState(_) => "InvalidStateError",
            Self::InvalidAccess(_) => "InvalidAccessError",
            Self::Operation(_) => "OperationError",
            Self::Syntax(_) => "SyntaxError",
        }
    }
}

/// A call made in a state that does not allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidStateError {
    /// A signaling operation in a signaling state that does not allow it.
    #[error("{operation} is not allowed in signaling state {state}")]
    Signaling {
        /// The operation: `createOffer`, `createAnswer`, `setLocalDescription(answer)`, …
        operation: &'static str,
        /// The state the connection was in.
        state: SignalingState,
    },
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// A remote candidate was given before any remote description.
    #[error("a remote candidate needs a remote description first")]
    NoRemoteDescription,
    /// A local description that is not the offer or answer this connection last created.
    #[error("the local {expected} given is not the one last created")]
    NotLastCreated {
        /// `offer` or `answer`.
        expected: &'static str,
    },
    /// A transceiver id that names no transceiver.
    #[error("no transceiver {0}")]
    NoTransceiver(usize),
    /// Media written before the transceiver negotiated a send stream, or polled before a receive stream.
    #[error("transceiver {transceiver} has no negotiated {what} stream")]
    NotNegotiated {
        /// The transceiver.
        transceiver: usize,
        /// `send` or `receive`.
        what: &'static str,
    },
}

/// A description that parsed but cannot be used; nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidAccessError {
    /// An m-section without `a=mid`.
    #[error("m-section {index} has no a=mid")]
    MissingMid {
        /// Its 0-based index.
        index: usize,
    },
    /// A mid this stack cannot carry: not an RFC 8843 token, or longer than the 16 bytes a one-byte header
    /// extension holds.
    #[error("mid {mid:?} cannot be used: {reason}")]
    BadMid {
        /// The mid.
        mid: String,
        /// What is wrong with it.
        reason: ortc_rtp_packet::IdError,
    },
    /// Two m-sections with one mid.
    #[error("mid {mid:?} is used by two m-sections")]
    DuplicateMid {
        /// The mid.
        mid: String,
    },
    /// No `a=group:BUNDLE` covering every m-section in use (this connection runs max-bundle).
    #[error("m-section {mid:?} is not in the a=group:BUNDLE group")]
    NotBundled {
        /// The mid outside the group.
        mid: String,
    },
    /// An m-section without `a=rtcp-mux` (this connection multiplexes RTP and RTCP only).
    #[error("m-section {mid:?} has no a=rtcp-mux")]
    NoRtcpMux {
        /// Its mid.
        mid: String,
    },
    /// No `a=ice-ufrag` / `a=ice-pwd`, or ones ICE refuses.
    #[error("m-section {mid:?}: ICE credentials missing or invalid ({reason})")]
    IceCredentials {
        /// The m-section.
        mid: String,
        /// What is wrong.
        reason: String,
    },
    /// No `a=fingerprint` with a hash function DTLS knows.
    #[error("m-section {mid:?} has no usable a=fingerprint")]
    NoFingerprint {
        /// The m-section.
        mid: String,
    },
    /// A fingerprint value of the wrong length for its hash function.
    #[error("m-section {mid:?}: bad a=fingerprint ({reason})")]
    BadFingerprint {
        /// The m-section.
        mid: String,
        /// What DTLS said about it.
        reason: String,
    },
    /// An `a=setup` that does not fit the description type (an answer must be `active` or `passive`).
    #[error("m-section {mid:?}: a=setup:{setup} is not allowed in an {sdp_type}")]
    BadSetup {
        /// The m-section.
        mid: String,
        /// The value found (`actpass`, `holdconn`, or `none`).
        setup: String,
        /// `offer` or `answer`.
        sdp_type: &'static str,
    },
    /// An answer whose m-sections do not match the offer's, in number, mid or kind.
    #[error("answer m-section {index} ({got}) does not match the offer's ({expected})")]
    AnswerMismatch {
        /// The 0-based index.
        index: usize,
        /// What the offer had there (`kind mid`, or `nothing`).
        expected: String,
        /// What the answer has there.
        got: String,
    },
    /// A description of a type that is neither `offer`, `answer` nor `rollback`.
    #[error("description type {0:?} is not supported")]
    UnsupportedType(String),
    /// An `a=ssrc-group:FID` naming other than two SSRCs, or an SSRC out of place.
    #[error("m-section {mid:?}: bad SSRC signalling ({reason})")]
    BadSsrc {
        /// The m-section.
        mid: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// An operation that failed below the signalling layer, or found nothing to agree on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OperationError {
    /// An m-section of the remote description has no codec in common with ours.
    #[error("m-section {mid:?}: no codec in common")]
    NoCommonCodec {
        /// The m-section.
        mid: String,
    },
    /// The parameters negotiated for a stream are refused by the RTP layer.
    #[error("m-section {mid:?}: {source}")]
    Parameters {
        /// The m-section.
        mid: String,
        /// Why.
        #[source]
        source: ortc_rtp_api::params::ParametersError,
    },
    /// The ICE agent refused something.
    #[error("ICE: {0}")]
    Ice(#[from] ortc_ice::IceError),
    /// The DTLS layer failed (certificate generation, endpoint set-up).
    #[error("DTLS: {0}")]
    Dtls(#[from] ortc_dtls::DtlsError),
    /// The RTP session refused a stream or a frame.
    #[error("RTP session: {0}")]
    Session(#[from] ortc_rtp_api::session::SessionError),
    /// The OS random number generator failed.
    #[error("the OS random number generator failed: {0}")]
    Random(getrandom::Error),
    /// The socket could not be bound or read.
    #[error("socket: {0}")]
    Io(std::io::Error),
    /// Our own description could not be written as SDP.
    #[error("writing SDP: {0}")]
    Write(ortc_sdp::SdpError),
}
