//! JSEP (RFC 8829) over `ortc-sdp`: transceivers, offers and answers, the signaling state machine, and the
//! negotiated result applied to the transport and the RTP session.
//!
//! The connection runs bundle-policy max-bundle with rtcp-mux only: every m-section in use is in one
//! `a=group:BUNDLE`, over the transport of the first one. A remote description is checked fully before
//! anything of it is used; the transport and the streams are set up once an offer and its answer are both
//! applied (so a rollback has nothing to undo there).

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use ortc_codecs::{
    MediaKind, RtcpFeedback, RtpCodecCapability, URI_ABS_SEND_TIME, URI_AUDIO_LEVEL, URI_MID, URI_TRANSPORT_CC,
    get_capabilities,
};
use ortc_dtls::{Fingerprint, HashFunction};
use ortc_ice::{Candidate, CandidateKind, Credentials, Role, UnresolvedCandidate};
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_rtp_api::params::{
    RtcpParameters, RtpCodecParameters, RtpEncodingParameters, RtpHeaderExtensionParameters, RtpParameters,
    RtxParameters, SendStreamNumbers, filter_codec_preferences,
};
use ortc_rtp_api::session::{ReceiveParams, ReceiverMut, SendParams, SenderId, SenderMut};
use ortc_rtp_packet::PayloadType;
use ortc_sdp::{
    Attribute, CandidateAddress, CandidateTransport, CandidateType, Direction, Extmap, Fmtp, MediaDescription, Msid,
    MsidSemantic, Origin, RtcpFb, Rtpmap, SdpError, Setup, Ssrc, SsrcGroup,
};
use ortc_srtp::DtlsRole;
use tracing::debug;

use crate::core::{Event, IceGatheringState, PeerConnectionCore, RemoteCandidate, RemoteTransport, SessionSetup};
use crate::core::{random_token, random_u32};
use crate::error::{Error, InvalidAccessError, InvalidStateError, OperationError};
use crate::transceiver::{Transceiver, TransceiverId};

/// The SDP protocol of every m-section we write.
const PROTOCOL: &str = "UDP/TLS/RTP/SAVPF";

/// The header extensions we offer, with the ids we offer them under (one id per URI across the BUNDLE group).
const OFFERED_EXTENSIONS: [(u16, &str); 4] = [
    (1, URI_MID),
    (2, URI_ABS_SEND_TIME),
    (3, URI_TRANSPORT_CC),
    (4, URI_AUDIO_LEVEL),
];

/// Whether we send and receive the header extension `uri` on media of `kind`.
fn supports_extension(kind: MediaKind, uri: &str) -> bool {
    uri == URI_MID
        || uri == URI_ABS_SEND_TIME
        || uri == URI_TRANSPORT_CC
        || (kind == MediaKind::Audio && uri == URI_AUDIO_LEVEL)
}

/// W3C `RTCSignalingState` (without the provisional-answer states, which this connection does not use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalingState {
    /// No offer/answer exchange under way.
    Stable,
    /// A local offer is applied, waiting for the answer.
    HaveLocalOffer,
    /// A remote offer is applied, waiting for our answer.
    HaveRemoteOffer,
    /// The connection is closed.
    Closed,
}

impl SignalingState {
    /// The W3C name: `stable`, `have-local-offer`, `have-remote-offer`, `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::HaveLocalOffer => "have-local-offer",
            Self::HaveRemoteOffer => "have-remote-offer",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for SignalingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// W3C `RTCSdpType` (`pranswer` is not supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// An offer.
    Offer,
    /// An answer.
    Answer,
    /// Back to the last stable state.
    Rollback,
}

impl SdpType {
    /// `offer`, `answer` or `rollback`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Answer => "answer",
            Self::Rollback => "rollback",
        }
    }
}

impl std::str::FromStr for SdpType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "offer" => Ok(Self::Offer),
            "answer" => Ok(Self::Answer),
            "rollback" => Ok(Self::Rollback),
            other => Err(InvalidAccessError::UnsupportedType(other.to_owned()).into()),
        }
    }
}

/// W3C `RTCSessionDescriptionInit`: a type and the SDP text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// Offer, answer or rollback.
    pub sdp_type: SdpType,
    /// The SDP (empty for a rollback).
    pub sdp: String,
}

impl SessionDescription {
    /// An offer.
    pub fn offer(sdp: impl Into<String>) -> Self {
        Self {
            sdp_type: SdpType::Offer,
            sdp: sdp.into(),
        }
    }

    /// An answer.
    pub fn answer(sdp: impl Into<String>) -> Self {
        Self {
            sdp_type: SdpType::Answer,
            sdp: sdp.into(),
        }
    }

    /// A rollback.
    pub fn rollback() -> Self {
        Self {
            sdp_type: SdpType::Rollback,
            sdp: String::new(),
        }
    }
}

/// What a rollback of a remote offer restores on a transceiver the offer touched.
#[derive(Debug, Clone)]
struct Touched {
    index: usize,
    mid: Option<String>,
    mline: Option<usize>,
}

/// The JSEP state of a connection.
#[derive(Debug)]
pub(crate) struct Jsep {
    pub(crate) signaling: SignalingState,
    pub(crate) transceivers: Vec<Transceiver>,
    session_id: String,
    version: u64,
    stream_id: String,
    current_local: Option<ortc_sdp::SessionDescription>,
    current_remote: Option<ortc_sdp::SessionDescription>,
    pending_local: Option<ortc_sdp::SessionDescription>,
    pending_remote: Option<ortc_sdp::SessionDescription>,
    last_offer: Option<String>,
    last_answer: Option<String>,
    touched: Vec<Touched>,
    /// Remote candidates given before the transport started.
    pending_candidates: Vec<RemoteCandidate>,
    transport_started: bool,
}

impl Jsep {
    pub(crate) fn new() -> Result<Self, Error> {
        // A session id below 2^62, as JSEP asks (§5.2.1).
        let session_id = (u64::from(random_u32()?) << 30) ^ u64::from(random_u32()?);
        Ok(Self {
            signaling: SignalingState::Stable,
            transceivers: Vec::new(),
            session_id: session_id.to_string(),
            version: 0,
            stream_id: random_token(16)?.replace(['+', '/'], "x"),
            current_local: None,
            current_remote: None,
            pending_local: None,
            pending_remote: None,
            last_offer: None,
            last_answer: None,
            touched: Vec::new(),
            pending_candidates: Vec::new(),
            transport_started: false,
        })
    }

    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if self.signaling == SignalingState::Closed {
            return Err(InvalidStateError::Closed.into());
        }
        Ok(())
    }

    pub(crate) fn close(&mut self) {
        self.signaling = SignalingState::Closed;
    }

    /// The mid whose transport carries the BUNDLE group: the first transceiver's in m-line order.
    pub(crate) fn bundle_tag(&self) -> Option<String> {
        self.ordered()
            .into_iter()
            .find_map(|i| self.transceivers[i].mid.clone())
    }

    pub(crate) fn transceiver_of_sender(&self, sender: SenderId) -> Option<TransceiverId> {
        self.transceivers
            .iter()
            .position(|t| t.sender == Some(sender))
            .map(TransceiverId)
    }

    pub(crate) fn transceiver_of_receiver(&self, r: ortc_rtp_api::session::ReceiverId) -> Option<TransceiverId> {
        self.transceivers
            .iter()
            .position(|t| t.receiver == Some(r))
            .map(TransceiverId)
    }

    /// Transceiver indices in m-line order: those with an m-line by it, then the others as made.
    fn ordered(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.transceivers.len()).collect();
        order.sort_by_key(|&i| (self.transceivers[i].mline.unwrap_or(usize::MAX), i));
        order
    }

    fn state_error(&self, operation: &'static str) -> Error {
        InvalidStateError::Signaling {
            operation,
            state: self.signaling,
        }
        .into()
    }

    fn new_transceiver(kind: MediaKind, direction: RtpTransceiverDirection) -> Result<Transceiver, Error> {
        let ssrc = random_u32()?;
        let mut rtx_ssrc = random_u32()?;
        if rtx_ssrc == ssrc {
            rtx_ssrc = ssrc.wrapping_add(1);
        }
        let numbers = SendStreamNumbers {
            ssrc: ortc_rtp_packet::Ssrc::new(ssrc),
            rtx_ssrc: ortc_rtp_packet::Ssrc::new(rtx_ssrc),
            // below 32768: the first wrap is at least 32768 packets away
            initial_sequence_number: (random_u32()? & 0x7fff) as u16,
            rtx_initial_sequence_number: (random_u32()? & 0x7fff) as u16,
            timestamp_origin: random_u32()?,
        };
        Ok(Transceiver {
            kind,
            mid: None,
            direction,
            current_direction: None,
            codec_preferences: Vec::new(),
            numbers,
            track_id: random_token(16)?.replace(['+', '/'], "x"),
            send_parameters: None,
            receive_parameters: None,
            sender: None,
            receiver: None,
            mline: None,
            provisional: false,
        })
    }

    fn assign_mids(&mut self) {
        let used: Vec<String> = self.transceivers.iter().filter_map(|t| t.mid.clone()).collect();
        let mut next = 0u32;
        for t in &mut self.transceivers {
            if t.mid.is_none() {
                while used.contains(&next.to_string()) {
                    next += 1;
                }
                t.mid = Some(next.to_string());
                next += 1;
            }
        }
    }
}

impl PeerConnectionCore {
    /// Adds a transceiver of `kind` wanting `direction` (W3C `addTransceiver`); it is in the next offer.
    pub fn add_transceiver(
        &mut self,
        kind: MediaKind,
        direction: RtpTransceiverDirection,
    ) -> Result<TransceiverId, Error> {
        self.jsep.check_open()?;
        let t = Jsep::new_transceiver(kind, direction)?;
        self.jsep.transceivers.push(t);
        Ok(TransceiverId(self.jsep.transceivers.len() - 1))
    }

    /// A transceiver.
    pub fn transceiver(&self, id: TransceiverId) -> Option<&Transceiver> {
        self.jsep.transceivers.get(id.0)
    }

    /// Every transceiver, with its id, in the order they were made.
    pub fn transceivers(&self) -> impl Iterator<Item = (TransceiverId, &Transceiver)> {
        self.jsep
            .transceivers
            .iter()
            .enumerate()
            .map(|(i, t)| (TransceiverId(i), t))
    }

    /// Sets the direction a transceiver asks for in the next offer or answer.
    pub fn set_direction(&mut self, id: TransceiverId, direction: RtpTransceiverDirection) -> Result<(), Error> {
        self.jsep.check_open()?;
        let t = self
            .jsep
            .transceivers
            .get_mut(id.0)
            .ok_or(InvalidStateError::NoTransceiver(id.0))?;
        t.direction = direction;
        Ok(())
    }

    /// Sets a transceiver's codec preferences (W3C `setCodecPreferences`): an empty list resets to every
    /// capability; otherwise each entry must be a capability of the transceiver's kind.
    pub fn set_codec_preferences(&mut self, id: TransceiverId, codecs: &[RtpCodecCapability]) -> Result<(), Error> {
        self.jsep.check_open()?;
        let t = self
            .jsep
            .transceivers
            .get_mut(id.0)
            .ok_or(InvalidStateError::NoTransceiver(id.0))?;
        let chosen = filter_codec_preferences(t.kind, codecs).map_err(|source| OperationError::Parameters {
            mid: t.mid.clone().unwrap_or_default(),
            source,
        })?;
        t.codec_preferences = if codecs.is_empty() { Vec::new() } else { chosen };
        Ok(())
    }

    /// The signaling state.
    pub fn signaling_state(&self) -> SignalingState {
        self.jsep.signaling
    }

    /// The local description in force: the pending one, else the current one.
    pub fn local_description(&self) -> Option<String> {
        self.jsep
            .pending_local
            .as_ref()
            .or(self.jsep.current_local.as_ref())
            .map(ToString::to_string)
    }

    /// The remote description in force: the pending one, else the current one.
    pub fn remote_description(&self) -> Option<String> {
        self.jsep
            .pending_remote
            .as_ref()
            .or(self.jsep.current_remote.as_ref())
            .map(ToString::to_string)
    }

    /// Creates an offer (W3C `createOffer`) for every transceiver, giving a mid to those without one.
    pub fn create_offer(&mut self) -> Result<SessionDescription, Error> {
        self.jsep.check_open()?;
        if !matches!(
            self.jsep.signaling,
            SignalingState::Stable | SignalingState::HaveLocalOffer
        ) {
            return Err(self.jsep.state_error("createOffer"));
        }
        self.jsep.assign_mids();
        let mut sdp = self.description_skeleton();
        let mut mids = Vec::new();
        for (mline, i) in self.jsep.ordered().into_iter().enumerate() {
            let t = &self.jsep.transceivers[i];
            let mid = t.mid.clone().unwrap_or_default();
            let codecs = offer_codecs(t);
            let extensions: Vec<(u16, String)> = OFFERED_EXTENSIONS
                .iter()
                .filter(|(_, uri)| supports_extension(t.kind, uri))
                .map(|(id, uri)| (*id, (*uri).to_owned()))
                .collect();
            let direction = sdp_direction(t.direction);
            let m = self.media_section(
                i,
                &Section {
                    mid: &mid,
                    codecs: &codecs,
                    extensions: &extensions,
                    direction,
                    setup: Setup::ActPass,
                    reduced_size: true,
                },
            );
            debug!(mline, %mid, "offered");
            sdp.media.push(m);
            mids.push(mid);
        }
        let text = bundled(sdp, mids)?;
        self.jsep.last_offer = Some(text.clone());
        Ok(SessionDescription::offer(text))
    }

    /// Creates the answer to the remote offer (W3C `createAnswer`).
    pub fn create_answer(&mut self) -> Result<SessionDescription, Error> {
        self.jsep.check_open()?;
        if self.jsep.signaling != SignalingState::HaveRemoteOffer {
            return Err(self.jsep.state_error("createAnswer"));
        }
        let Some(offer) = self.jsep.pending_remote.clone() else {
            return Err(self.jsep.state_error("createAnswer"));
        };
        let mut sdp = self.description_skeleton();
        let mut mids = Vec::new();
        for (index, rm) in offer.media.iter().enumerate() {
            let mid = rm.mid().unwrap_or_default().to_owned();
            let transceiver = self.jsep.transceivers.iter().position(|t| t.mline == Some(index));
            let answered = transceiver.and_then(|i| {
                let t = &self.jsep.transceivers[i];
                let codecs = answer_codecs(t, rm);
                if rm.is_rejected() || codecs.iter().all(RtpCodecParameters::is_rtx) {
                    return None;
                }
                let extensions: Vec<(u16, String)> = rm
                    .attributes
                    .extmaps()
                    .filter(|e| supports_extension(t.kind, &e.uri))
                    .map(|e| (e.id, e.uri.clone()))
                    .collect();
                let remote = offer.direction(rm).reverse();
                let ours = sdp_direction(t.direction);
                let direction = intersect(ours, remote);
                // A running DTLS association keeps its roles (RFC 8842 §5.5); else we are the client
                // unless the offerer is.
                let setup = match self.dtls.as_ref().map(ortc_dtls::DtlsEndpoint::role) {
                    Some(DtlsRole::Server) => Setup::Passive,
                    None if offer.setup(rm) == Some(Setup::Active) => Setup::Passive,
                    Some(DtlsRole::Client) | None => Setup::Active,
                };
                // rtcp-rsize only when offered (RFC 5506 §5)
                let rsize = rm.attributes.rtcp_rsize();
                Some(self.media_section(
                    i,
                    &Section {
                        mid: &mid,
                        codecs: &codecs,
                        extensions: &extensions,
                        direction,
                        setup,
                        reduced_size: rsize,
                    },
                ))
            });
            match answered {
                Some(m) => {
                    mids.push(mid);
                    sdp.media.push(m);
                }
                None => sdp.media.push(rejected_section(rm)),
            }
        }
        let text = bundled(sdp, mids)?;
        self.jsep.last_answer = Some(text.clone());
        Ok(SessionDescription::answer(text))
    }

    /// Applies a local description (W3C `setLocalDescription`): the offer or answer last created, or a
    /// rollback of a local offer.
    pub fn set_local_description(&mut self, now: Instant, description: &SessionDescription) -> Result<(), Error> {
        self.jsep.check_open()?;
        match description.sdp_type {
            SdpType::Rollback => {
                if self.jsep.signaling != SignalingState::HaveLocalOffer {
                    return Err(self.jsep.state_error("setLocalDescription(rollback)"));
                }
                self.jsep.pending_local = None;
                self.set_signaling(SignalingState::Stable);
                Ok(())
            }
            SdpType::Offer => {
                if !matches!(
                    self.jsep.signaling,
                    SignalingState::Stable | SignalingState::HaveLocalOffer
                ) {
                    return Err(self.jsep.state_error("setLocalDescription(offer)"));
                }
                if self.jsep.last_offer.as_deref() != Some(description.sdp.as_str()) {
                    return Err(InvalidStateError::NotLastCreated { expected: "offer" }.into());
                }
                let sdp = ortc_sdp::SessionDescription::parse(&description.sdp)?;
                for (index, m) in sdp.media.iter().enumerate() {
                    if let Some(t) = self.jsep.transceivers.iter_mut().find(|t| t.mid.as_deref() == m.mid()) {
                        t.mline = Some(index);
                    }
                }
                self.jsep.pending_local = Some(sdp);
                self.set_signaling(SignalingState::HaveLocalOffer);
                self.gathering_done();
                Ok(())
            }
            SdpType::Answer => {
                if self.jsep.signaling != SignalingState::HaveRemoteOffer {
                    return Err(self.jsep.state_error("setLocalDescription(answer)"));
                }
                if self.jsep.last_answer.as_deref() != Some(description.sdp.as_str()) {
                    return Err(InvalidStateError::NotLastCreated { expected: "answer" }.into());
                }
                let answer = ortc_sdp::SessionDescription::parse(&description.sdp)?;
                let Some(offer) = self.jsep.pending_remote.clone() else {
                    return Err(self.jsep.state_error("setLocalDescription(answer)"));
                };
                self.negotiated(now, &answer, &offer, false)?;
                self.jsep.current_local = Some(answer);
                self.jsep.current_remote = self.jsep.pending_remote.take();
                self.jsep.pending_local = None;
                self.set_signaling(SignalingState::Stable);
                self.gathering_done();
                Ok(())
            }
        }
    }

    /// Applies a remote description (W3C `setRemoteDescription`): an offer, the answer to our offer, or a
    /// rollback of a remote offer. The description is checked fully first: on an error nothing changed.
    pub fn set_remote_description(&mut self, now: Instant, description: &SessionDescription) -> Result<(), Error> {
        self.jsep.check_open()?;
        match description.sdp_type {
            SdpType::Rollback => {
                if self.jsep.signaling != SignalingState::HaveRemoteOffer {
                    return Err(self.jsep.state_error("setRemoteDescription(rollback)"));
                }
                self.rollback_remote_offer();
                self.set_signaling(SignalingState::Stable);
                Ok(())
            }
            SdpType::Offer => {
                if !matches!(
                    self.jsep.signaling,
                    SignalingState::Stable | SignalingState::HaveRemoteOffer
                ) {
                    return Err(self.jsep.state_error("setRemoteDescription(offer)"));
                }
                let sdp = ortc_sdp::SessionDescription::parse(&description.sdp)?;
                validate_remote(&sdp, SdpType::Offer, None)?;
                // Transceivers for m-sections no transceiver has: made before anything is changed.
                let mut fresh = Vec::new();
                for m in &sdp.media {
                    let Some(kind) = media_kind(m) else { continue };
                    let mid = m.mid().unwrap_or_default();
                    // (transceivers a replaced remote offer made are rolled back below)
                    let known = self
                        .jsep
                        .transceivers
                        .iter()
                        .any(|t| !t.provisional && t.mid.as_deref() == Some(mid));
                    if !known && !m.is_rejected() {
                        fresh.push(Jsep::new_transceiver(kind, RtpTransceiverDirection::Recvonly)?);
                    }
                }
                if self.jsep.signaling == SignalingState::HaveRemoteOffer {
                    self.rollback_remote_offer();
                }
                let mut fresh = fresh.into_iter();
                for (index, m) in sdp.media.iter().enumerate() {
                    let Some(kind) = media_kind(m) else { continue };
                    let mid = m.mid().unwrap_or_default().to_owned();
                    let existing = self
                        .jsep
                        .transceivers
                        .iter()
                        .position(|t| t.mid.as_deref() == Some(&mid));
                    let unassociated = || {
                        self.jsep
                            .transceivers
                            .iter()
                            .position(|t| t.mid.is_none() && t.kind == kind && t.current_direction.is_none())
                    };
                    let i = match existing.or_else(unassociated) {
                        Some(i) => i,
                        None if m.is_rejected() => continue,
                        None => {
                            // invariant: one fresh transceiver was made above for each such m-section
                            let Some(mut t) = fresh.next() else { continue };
                            t.provisional = true;
                            self.jsep.transceivers.push(t);
                            self.jsep.transceivers.len() - 1
                        }
                    };
                    let t = &mut self.jsep.transceivers[i];
                    self.jsep.touched.push(Touched {
                        index: i,
                        mid: t.mid.clone(),
                        mline: t.mline,
                    });
                    t.mid = Some(mid);
                    t.mline = Some(index);
                }
                self.jsep.pending_remote = Some(sdp);
                self.set_signaling(SignalingState::HaveRemoteOffer);
                Ok(())
            }
            SdpType::Answer => {
                if self.jsep.signaling != SignalingState::HaveLocalOffer {
                    return Err(self.jsep.state_error("setRemoteDescription(answer)"));
                }
                let sdp = ortc_sdp::SessionDescription::parse(&description.sdp)?;
                let Some(offer) = self.jsep.pending_local.clone() else {
                    return Err(self.jsep.state_error("setRemoteDescription(answer)"));
                };
                validate_remote(&sdp, SdpType::Answer, Some(&offer))?;
                self.negotiated(now, &sdp, &offer, true)?;
                self.jsep.current_local = self.jsep.pending_local.take();
                self.jsep.current_remote = Some(sdp);
                self.set_signaling(SignalingState::Stable);
                Ok(())
            }
        }
    }

    /// Adds a remote candidate (W3C `addIceCandidate`): an `a=candidate` value (with or without the
    /// `candidate:` prefix), or an empty string for end-of-candidates. Only candidates of the BUNDLE
    /// transport matter; a candidate that does not parse is a `SyntaxError` (line 1).
    pub fn add_ice_candidate(&mut self, now: Instant, candidate: &str) -> Result<(), Error> {
        self.jsep.check_open()?;
        if self.jsep.pending_remote.is_none() && self.jsep.current_remote.is_none() {
            return Err(InvalidStateError::NoRemoteDescription.into());
        }
        let remote = if candidate.trim().is_empty() {
            RemoteCandidate::EndOfCandidates
        } else {
            let parsed: ortc_sdp::Candidate = candidate.parse().map_err(|kind| SdpError {
                line: 1,
                text: candidate.to_owned(),
                kind,
            })?;
            match from_sdp_candidate(&parsed) {
                Some(c) => c,
                None => return Ok(()),
            }
        };
        if self.jsep.transport_started {
            self.add_remote_ice_candidate(now, remote)
        } else {
            self.jsep.pending_candidates.push(remote);
            Ok(())
        }
    }

    /// Writes an encoded frame to a transceiver's send stream, with its first negotiated codec and RTP time
    /// `rtp_time` (the stream's random origin is added). Returns how many packets it made.
    pub fn write_frame(
        &mut self,
        now: Instant,
        transceiver: TransceiverId,
        rtp_time: u32,
        frame: &[u8],
    ) -> Result<usize, Error> {
        let pt = self
            .jsep
            .transceivers
            .get(transceiver.0)
            .and_then(|t| t.send_parameters.as_ref())
            .and_then(|p| p.codecs.iter().find(|c| !c.is_rtx()))
            .map(|c| c.payload_type);
        let not_negotiated = InvalidStateError::NotNegotiated {
            transceiver: transceiver.0,
            what: "send",
        };
        let (Some(pt), Some(mut sender)) = (pt, self.sender(transceiver)) else {
            return Err(not_negotiated.into());
        };
        Ok(sender
            .write_frame(now, pt, rtp_time, frame)
            .map_err(OperationError::Session)?)
    }

    /// A transceiver's send stream in the RTP session, once negotiated.
    pub fn sender(&mut self, transceiver: TransceiverId) -> Option<SenderMut<'_>> {
        let id = self.sender_id(transceiver)?;
        self.session.as_mut()?.sender(id)
    }

    /// A transceiver's receive stream in the RTP session, once negotiated: poll it for frames.
    pub fn receiver(&mut self, transceiver: TransceiverId) -> Option<ReceiverMut<'_>> {
        let id = self.receiver_id(transceiver)?;
        self.session.as_mut()?.receiver(id)
    }

    fn set_signaling(&mut self, state: SignalingState) {
        if self.jsep.signaling != state {
            self.jsep.signaling = state;
            self.push_event(Event::SignalingStateChanged(state));
        }
    }

    fn gathering_done(&mut self) {
        for state in [IceGatheringState::Gathering, IceGatheringState::Complete] {
            if self.gathering_state == IceGatheringState::New || state == IceGatheringState::Complete {
                if self.gathering_state == state {
                    continue;
                }
                self.gathering_state = state;
                self.push_event(Event::IceGatheringStateChanged(state));
            }
        }
    }

    fn rollback_remote_offer(&mut self) {
        for touched in std::mem::take(&mut self.jsep.touched).into_iter().rev() {
            if let Some(t) = self.jsep.transceivers.get_mut(touched.index) {
                t.mid = touched.mid;
                t.mline = touched.mline;
            }
        }
        self.jsep.transceivers.retain(|t| !t.provisional);
        self.jsep.pending_remote = None;
    }

    /// `v=`, `o=`, `s=`, `t=` and `a=msid-semantic`, with the next session version.
    fn description_skeleton(&mut self) -> ortc_sdp::SessionDescription {
        self.jsep.version += 1;
        let origin = Origin {
            session_id: self.jsep.session_id.clone(),
            session_version: self.jsep.version,
            ..Origin::default()
        };
        ortc_sdp::SessionDescription::new(origin).with_attribute(Attribute::MsidSemantic(MsidSemantic {
            semantic: "WMS".into(),
            identifiers: vec![self.jsep.stream_id.clone()],
        }))
    }

    /// One m-section for transceiver `index`.
    fn media_section(&self, index: usize, section: &Section<'_>) -> MediaDescription {
        let Section {
            mid,
            codecs,
            extensions,
            direction,
            setup,
            reduced_size,
        } = *section;
        let t = &self.jsep.transceivers[index];
        let pts: Vec<u8> = codecs.iter().map(|c| c.payload_type.get()).collect();
        let mut m = MediaDescription::rtp(t.kind.as_str(), mid, &pts);
        let a = &mut m.attributes;
        let credentials = self.ice.local_credentials();
        a.push(Attribute::IceUfrag(credentials.ufrag.clone()));
        a.push(Attribute::IcePwd(credentials.pwd.clone()));
        let fingerprint = self.certificate.fingerprint();
        a.push(Attribute::Fingerprint(ortc_sdp::Fingerprint {
            hash: fingerprint.hash().name().to_owned(),
            bytes: fingerprint.value().to_vec(),
        }));
        a.push(Attribute::Setup(setup));
        a.push(Attribute::Direction(direction));
        a.push(Attribute::RtcpMux);
        if reduced_size {
            a.push(Attribute::RtcpRsize);
        }
        for (id, uri) in extensions {
            a.push(Attribute::Extmap(Extmap {
                id: *id,
                direction: None,
                uri: uri.clone(),
                attributes: None,
            }));
        }
        for c in codecs {
            a.push(Attribute::Rtpmap(Rtpmap {
                payload_type: c.payload_type.get(),
                encoding_name: c.name().to_owned(),
                clock_rate: c.clock_rate,
                encoding_params: c.channels.filter(|&n| n > 1).map(u32::from),
            }));
            if !c.parameters.is_empty() {
                let parameters: Vec<String> = c.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
                a.push(Attribute::Fmtp(Fmtp {
                    payload_type: c.payload_type.get(),
                    parameters: parameters.join(";"),
                }));
            }
            for fb in &c.rtcp_feedback {
                a.push(Attribute::RtcpFb(RtcpFb {
                    payload_type: Some(c.payload_type.get()),
                    feedback: fb.kind.clone(),
                    parameter: fb.parameter.clone(),
                }));
            }
        }
        if matches!(direction, Direction::SendRecv | Direction::SendOnly) {
            let stream = &self.jsep.stream_id;
            a.push(Attribute::Msid(Msid {
                stream_id: stream.clone(),
                track_id: Some(t.track_id.clone()),
            }));
            let rtx = codecs.iter().any(RtpCodecParameters::is_rtx);
            let mut ssrcs = vec![t.numbers.ssrc.get()];
            if rtx {
                ssrcs.push(t.numbers.rtx_ssrc.get());
                a.push(Attribute::SsrcGroup(SsrcGroup {
                    semantics: "FID".into(),
                    ssrcs: ssrcs.clone(),
                }));
            }
            for ssrc in ssrcs {
                a.push(Attribute::Ssrc(Ssrc {
                    ssrc,
                    attribute: "cname".into(),
                    value: Some(self.cname().to_owned()),
                }));
                a.push(Attribute::Ssrc(Ssrc {
                    ssrc,
                    attribute: "msid".into(),
                    value: Some(format!("{stream} {}", t.track_id)),
                }));
            }
        }
        for c in self.ice.local_candidates() {
            a.push(Attribute::Candidate(to_sdp_candidate(c)));
        }
        m
    }

    /// An offer and its answer are both applied: sets up the transport and the streams. Everything that can
    /// fail is worked out before anything is changed.
    fn negotiated(
        &mut self,
        now: Instant,
        answer: &ortc_sdp::SessionDescription,
        offer: &ortc_sdp::SessionDescription,
        we_offered: bool,
    ) -> Result<(), Error> {
        let remote = if we_offered { answer } else { offer };
        let transport = remote_transport(remote, answer, we_offered)?;
        let mut header_extensions: Vec<RtpHeaderExtensionParameters> = Vec::new();
        let mut reduced_size = false;
        let mut planned = Vec::new();
        for (mline, am) in answer.media.iter().enumerate() {
            let Some(index) = self.jsep.transceivers.iter().position(|t| t.mline == Some(mline)) else {
                continue;
            };
            let plan = self.plan_streams(index, &offer.media[mline], am, answer, we_offered)?;
            for e in plan.extensions.iter().flatten() {
                if !header_extensions.contains(e) {
                    header_extensions.push(e.clone());
                }
            }
            reduced_size |= am.attributes.rtcp_rsize();
            planned.push(plan);
        }
        let mut all = RtpParameters::new(Vec::new());
        all.header_extensions = header_extensions;
        let extensions = all.extension_map().map_err(|source| OperationError::Parameters {
            mid: String::new(),
            source,
        })?;

        // Applying: the transport first (the only step that can still fail, in DTLS set-up).
        self.start_transport(now, transport)?;
        self.jsep.transport_started = true;
        for c in std::mem::take(&mut self.jsep.pending_candidates) {
            self.add_remote_ice_candidate(now, c)?;
        }
        self.start_session(SessionSetup {
            extensions,
            reduced_size_rtcp: reduced_size,
        })?;
        for p in planned {
            let session = self.session.as_mut().ok_or(InvalidStateError::Closed)?;
            let mut new_track = false;
            let t = &mut self.jsep.transceivers[p.index];
            if let Some((params, send)) = p.send {
                if t.sender.is_none() {
                    t.sender = Some(session.add_sender(send).map_err(OperationError::Session)?);
                }
                t.send_parameters = Some(params);
            }
            if let Some((params, receive)) = p.receive {
                if t.receiver.is_none() {
                    t.receiver = Some(session.add_receiver(receive).map_err(OperationError::Session)?);
                    new_track = true;
                }
                t.receive_parameters = Some(params);
            }
            t.current_direction = Some(p.direction);
            t.provisional = false;
            if new_track {
                self.push_event(Event::Track(TransceiverId(p.index)));
            }
        }
        self.jsep.touched.clear();
        Ok(())
    }

    /// The streams transceiver `index` gets from its offered (`om`) and answered (`am`) m-sections.
    fn plan_streams(
        &self,
        index: usize,
        om: &MediaDescription,
        am: &MediaDescription,
        answer: &ortc_sdp::SessionDescription,
        we_offered: bool,
    ) -> Result<Planned, Error> {
        let t = &self.jsep.transceivers[index];
        if am.is_rejected() {
            return Ok(Planned {
                index,
                direction: RtpTransceiverDirection::Inactive,
                extensions: None,
                send: None,
                receive: None,
            });
        }
        let mid = am.mid().unwrap_or_default().to_owned();
        let offered: Vec<u8> = om.payload_types().collect();
        let codecs: Vec<RtpCodecParameters> = sdp_codecs(t.kind, am)
            .into_iter()
            .filter(|c| offered.contains(&c.payload_type.get()))
            .collect();
        if codecs.iter().all(RtpCodecParameters::is_rtx) {
            return Err(OperationError::NoCommonCodec { mid }.into());
        }
        let extensions: Vec<RtpHeaderExtensionParameters> = am
            .attributes
            .extmaps()
            .filter(|e| supports_extension(t.kind, &e.uri))
            .map(|e| RtpHeaderExtensionParameters {
                id: e.id,
                uri: e.uri.clone(),
            })
            .collect();
        let answered = rtp_direction(answer.direction(am));
        let direction = if we_offered { answered.reversed() } else { answered };
        let rtcp = RtcpParameters {
            cname: Some(self.cname().to_owned()),
            ssrc: Some(t.numbers.ssrc),
            mux: true,
            reduced_size: am.attributes.rtcp_rsize(),
        };
        let base = RtpParameters {
            codecs,
            header_extensions: extensions.clone(),
            rtcp,
            encodings: Vec::new(),
            // checked when the description was validated
            mid: ortc_rtp_packet::Mid::new(&mid).ok(),
        };
        let parameters_error = |source| OperationError::Parameters {
            mid: mid.clone(),
            source,
        };
        let send = if direction.sends() {
            let mut p = base.clone();
            p.encodings = vec![RtpEncodingParameters {
                ssrc: Some(t.numbers.ssrc),
                rtx: Some(RtxParameters {
                    ssrc: t.numbers.rtx_ssrc,
                }),
                ..RtpEncodingParameters::default()
            }];
            let s = p.to_send_params(t.kind, &t.numbers).map_err(parameters_error)?;
            Some((p, s))
        } else {
            None
        };
        let receive = if direction.receives() {
            let rm = if we_offered { am } else { om };
            let mut p = base;
            p.encodings = vec![remote_encoding(rm, &mid)?];
            let r = p.to_receive_params(t.kind, t.numbers.ssrc).map_err(parameters_error)?;
            Some((p, r))
        } else {
            None
        };
        Ok(Planned {
            index,
            direction,
            extensions: Some(extensions),
            send,
            receive,
        })
    }
}

/// What one m-section we write says.
#[derive(Clone, Copy)]
struct Section<'a> {
    mid: &'a str,
    codecs: &'a [RtpCodecParameters],
    extensions: &'a [(u16, String)],
    direction: Direction,
    setup: Setup,
    reduced_size: bool,
}

/// What negotiation gives one transceiver.
struct Planned {
    index: usize,
    direction: RtpTransceiverDirection,
    extensions: Option<Vec<RtpHeaderExtensionParameters>>,
    send: Option<(RtpParameters, SendParams)>,
    receive: Option<(RtpParameters, ReceiveParams)>,
}

/// The codecs a transceiver offers: its preferences, or every capability, each RTX kept only beside its
/// media codec.
fn offer_codecs(t: &Transceiver) -> Vec<RtpCodecParameters> {
    let capabilities = if t.codec_preferences.is_empty() {
        get_capabilities(t.kind).codecs
    } else {
        t.codec_preferences.clone()
    };
    let mut codecs: Vec<RtpCodecParameters> = Vec::new();
    let mut next_dynamic = 96u8;
    for c in &capabilities {
        let pt = c.preferred_payload_type.unwrap_or_else(|| {
            next_dynamic += 1;
            next_dynamic
        });
        // Past 127 there are no payload types left: the remaining capabilities are not offered.
        let Some(pt) = PayloadType::new(pt) else { continue };
        codecs.push(RtpCodecParameters::from_capability(c, pt));
    }
    let media: Vec<u8> = codecs
        .iter()
        .filter(|c| !c.is_rtx())
        .map(|c| c.payload_type.get())
        .collect();
    codecs.retain(|c| {
        !c.is_rtx()
            || c.parameter("apt")
                .and_then(|a| a.parse().ok())
                .is_some_and(|a| media.contains(&a))
    });
    codecs
}

/// The codecs of a remote offer's m-section we accept, in the offer's order and under its payload types:
/// each media codec matching a capability (feedback: what both support), and the RTX of an accepted one.
fn answer_codecs(t: &Transceiver, offered: &MediaDescription) -> Vec<RtpCodecParameters> {
    let capabilities = if t.codec_preferences.is_empty() {
        get_capabilities(t.kind).codecs
    } else {
        t.codec_preferences.clone()
    };
    let remote = sdp_codecs(t.kind, offered);
    let mut accepted: Vec<RtpCodecParameters> = Vec::new();
    for r in remote.iter().filter(|c| !c.is_rtx()) {
        let as_capability = RtpCodecCapability {
            mime_type: r.mime_type.clone(),
            clock_rate: r.clock_rate,
            channels: r.channels,
            preferred_payload_type: Some(r.payload_type.get()),
            parameters: r.parameters.clone(),
            rtcp_feedback: Vec::new(),
        };
        if let Some(cap) = capabilities
            .iter()
            .find(|c| c.name() != "rtx" && c.matches(&as_capability))
        {
            let mut c = r.clone();
            c.rtcp_feedback.retain(|fb| cap.rtcp_feedback.contains(fb));
            accepted.push(c);
        }
    }
    let rtx_supported = capabilities.iter().any(|c| c.name().eq_ignore_ascii_case("rtx"));
    let media: Vec<u8> = accepted.iter().map(|c| c.payload_type.get()).collect();
    for r in remote.iter().filter(|c| c.is_rtx()) {
        let apt = r.parameter("apt").and_then(|a| a.trim().parse::<u8>().ok());
        if rtx_supported && apt.is_some_and(|a| media.contains(&a)) {
            accepted.push(r.clone());
        }
    }
    accepted
}

/// `sdp` with the `a=group:BUNDLE` of `mids` first among its session attributes, written out.
fn bundled(mut sdp: ortc_sdp::SessionDescription, mids: Vec<String>) -> Result<String, Error> {
    sdp.attributes.insert(
        0,
        Attribute::Group(ortc_sdp::Group {
            semantics: "BUNDLE".into(),
            mids,
        }),
    );
    Ok(sdp.try_to_string().map_err(OperationError::Write)?)
}

/// The codecs an m-section lists (those with an `a=rtpmap`, or a static payload type we know), in m-line order.
fn sdp_codecs(kind: MediaKind, m: &MediaDescription) -> Vec<RtpCodecParameters> {
    let mut codecs = Vec::new();
    for pt in m.payload_types() {
        let (name, clock_rate, channels) = match m.attributes.rtpmap(pt) {
            Some(r) => (r.encoding_name.clone(), r.clock_rate, r.encoding_params),
            None => match pt {
                0 => ("PCMU".to_owned(), 8000, None),
                8 => ("PCMA".to_owned(), 8000, None),
                9 => ("G722".to_owned(), 8000, None),
                _ => continue,
            },
        };
        let Some(payload_type) = PayloadType::new(pt) else {
            continue;
        };
        let mut c = RtpCodecParameters::new(payload_type, format!("{}/{name}", kind.as_str()), clock_rate);
        c.channels = match kind {
            MediaKind::Audio => Some(channels.and_then(|n| u16::try_from(n).ok()).unwrap_or(1)),
            MediaKind::Video => None,
        };
        if let Some(fmtp) = m.attributes.fmtp(pt) {
            c.parameters = fmtp.params().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        }
        c.rtcp_feedback = m
            .attributes
            .rtcp_fb(pt)
            .map(|fb| RtcpFeedback::new(&fb.feedback, fb.parameter.as_deref()))
            .collect();
        codecs.push(c);
    }
    codecs
}

/// The remote encoding an m-section signals: its `a=ssrc-group:FID` (media, RTX), else its first `a=ssrc`,
/// else nothing (the SSRC is learned from the first packet routed by mid).
fn remote_encoding(m: &MediaDescription, mid: &str) -> Result<RtpEncodingParameters, Error> {
    let mut encoding = RtpEncodingParameters::default();
    if let Some(group) = m.attributes.ssrc_groups().find(|g| g.semantics == "FID") {
        let [media, rtx] = group.ssrcs[..] else {
            return Err(InvalidAccessError::BadSsrc {
                mid: mid.to_owned(),
                reason: "a=ssrc-group:FID must name two SSRCs",
            }
            .into());
        };
        encoding.ssrc = Some(ortc_rtp_packet::Ssrc::new(media));
        encoding.rtx = Some(RtxParameters {
            ssrc: ortc_rtp_packet::Ssrc::new(rtx),
        });
    } else if let Some(first) = m.attributes.ssrcs().next() {
        encoding.ssrc = Some(ortc_rtp_packet::Ssrc::new(first.ssrc));
    }
    Ok(encoding)
}

/// The transport of the remote description: the BUNDLE tag's m-section (the answer's group decides).
fn remote_transport(
    remote: &ortc_sdp::SessionDescription,
    answer: &ortc_sdp::SessionDescription,
    we_offered: bool,
) -> Result<RemoteTransport, Error> {
    let tag = answer.bundle_mids().and_then(|m| m.first()).cloned();
    let Some(m) = tag.as_deref().and_then(|t| remote.media_by_mid(t)) else {
        return Err(OperationError::NoCommonCodec {
            mid: tag.unwrap_or_default(),
        }
        .into());
    };
    let mid = m.mid().unwrap_or_default();
    let credentials = credentials_of(remote, m)?;
    let fingerprints = fingerprints_of(remote, m)?;
    let mut candidates = Vec::new();
    let mut unresolved = Vec::new();
    let mut end_of_candidates = false;
    for media in &remote.media {
        end_of_candidates |= media.attributes.end_of_candidates();
        for c in media.attributes.candidates() {
            match from_sdp_candidate(c) {
                Some(RemoteCandidate::Resolved(c)) if !candidates.iter().any(|k: &Candidate| k.addr == c.addr) => {
                    candidates.push(c);
                }
                Some(RemoteCandidate::Unresolved(c)) => unresolved.push(c),
                _ => {}
            }
        }
    }
    let answer_media = answer.media_by_mid(mid).unwrap_or(m);
    let dtls_role = match (answer.setup(answer_media), we_offered) {
        // the answer's a=setup is the answerer's role
        (Some(Setup::Active), false) | (Some(Setup::Passive), true) => DtlsRole::Client,
        _ => DtlsRole::Server,
    };
    Ok(RemoteTransport {
        ice_role: if we_offered {
            Role::Controlling
        } else {
            Role::Controlled
        },
        credentials,
        candidates,
        unresolved_candidates: unresolved,
        end_of_candidates,
        ice_lite: remote.attributes.ice_lite(),
        dtls_role,
        fingerprints,
    })
}

fn credentials_of(sdp: &ortc_sdp::SessionDescription, m: &MediaDescription) -> Result<Credentials, Error> {
    let mid = m.mid().unwrap_or_default().to_owned();
    let (Some(ufrag), Some(pwd)) = (sdp.ice_ufrag(m), sdp.ice_pwd(m)) else {
        return Err(InvalidAccessError::IceCredentials {
            mid,
            reason: "a=ice-ufrag or a=ice-pwd missing".into(),
        }
        .into());
    };
    Credentials::new(ufrag, pwd).map_err(|e| {
        InvalidAccessError::IceCredentials {
            mid,
            reason: e.to_string(),
        }
        .into()
    })
}

fn fingerprints_of(sdp: &ortc_sdp::SessionDescription, m: &MediaDescription) -> Result<Vec<Fingerprint>, Error> {
    let mid = m.mid().unwrap_or_default().to_owned();
    let mut out = Vec::new();
    for f in sdp.fingerprints(m) {
        let Some(hash) = HashFunction::from_name(&f.hash) else {
            continue;
        };
        let fingerprint = Fingerprint::new(hash, &f.bytes).map_err(|e| InvalidAccessError::BadFingerprint {
            mid: mid.clone(),
            reason: e.to_string(),
        })?;
        out.push(fingerprint);
    }
    if out.is_empty() {
        return Err(InvalidAccessError::NoFingerprint { mid }.into());
    }
    Ok(out)
}

/// Checks everything of a remote description this connection relies on, before any of it is used.
fn validate_remote(
    sdp: &ortc_sdp::SessionDescription,
    sdp_type: SdpType,
    offer: Option<&ortc_sdp::SessionDescription>,
) -> Result<(), Error> {
    let mut mids: Vec<&str> = Vec::new();
    for (index, m) in sdp.media.iter().enumerate() {
        let mid = m.mid().ok_or(InvalidAccessError::MissingMid { index })?;
        if let Err(reason) = ortc_rtp_packet::Mid::new(mid) {
            return Err(InvalidAccessError::BadMid {
                mid: mid.to_owned(),
                reason,
            }
            .into());
        }
        if mids.contains(&mid) {
            return Err(InvalidAccessError::DuplicateMid { mid: mid.to_owned() }.into());
        }
        mids.push(mid);
    }
    if let Some(offer) = offer {
        for index in 0..sdp.media.len().max(offer.media.len()) {
            let describe = |m: Option<&MediaDescription>| {
                m.map_or_else(
                    || "nothing".to_owned(),
                    |m| format!("{} {}", m.kind, m.mid().unwrap_or("")),
                )
            };
            let (o, a) = (offer.media.get(index), sdp.media.get(index));
            let same = matches!((o, a), (Some(o), Some(a)) if o.kind == a.kind && o.mid() == a.mid());
            if !same {
                return Err(InvalidAccessError::AnswerMismatch {
                    index,
                    expected: describe(o),
                    got: describe(a),
                }
                .into());
            }
        }
    }
    let bundle = sdp.bundle_mids().unwrap_or_default();
    for m in &sdp.media {
        let mid = m.mid().unwrap_or_default();
        if m.is_rejected() || media_kind(m).is_none() {
            continue;
        }
        if !bundle.iter().any(|b| b == mid) {
            return Err(InvalidAccessError::NotBundled { mid: mid.to_owned() }.into());
        }
        if !m.attributes.rtcp_mux() {
            return Err(InvalidAccessError::NoRtcpMux { mid: mid.to_owned() }.into());
        }
        credentials_of(sdp, m)?;
        fingerprints_of(sdp, m)?;
        let setup = sdp.setup(m);
        let allowed = match sdp_type {
            SdpType::Answer => matches!(setup, Some(Setup::Active | Setup::Passive)),
            _ => !matches!(setup, Some(Setup::HoldConn)),
        };
        if !allowed {
            return Err(InvalidAccessError::BadSetup {
                mid: mid.to_owned(),
                setup: setup.map_or_else(|| "none".to_owned(), |s| s.to_string()),
                sdp_type: sdp_type.as_str(),
            }
            .into());
        }
        remote_encoding(m, mid)?;
    }
    Ok(())
}

/// The kind of an RTP m-section we can take part in (`audio` or `video` over `UDP/TLS/RTP/SAVPF`).
fn media_kind(m: &MediaDescription) -> Option<MediaKind> {
    if !m.protocol.eq_ignore_ascii_case(PROTOCOL) {
        return None;
    }
    match m.kind.as_str() {
        "audio" => Some(MediaKind::Audio),
        "video" => Some(MediaKind::Video),
        _ => None,
    }
}

/// The answer to an m-section we do not take: port 0, its kind, protocol, formats and mid.
fn rejected_section(offered: &MediaDescription) -> MediaDescription {
    let mut m = MediaDescription::new(
        offered.kind.clone(),
        0,
        offered.protocol.clone(),
        offered.formats.clone(),
    );
    m.connections
        .push(ortc_sdp::Connection::new(std::net::Ipv4Addr::UNSPECIFIED.into()));
    if let Some(mid) = offered.mid() {
        m.attributes.push(Attribute::Mid(mid.to_owned()));
    }
    m
}

fn sdp_direction(d: RtpTransceiverDirection) -> Direction {
    match d {
        RtpTransceiverDirection::Sendrecv => Direction::SendRecv,
        RtpTransceiverDirection::Sendonly => Direction::SendOnly,
        RtpTransceiverDirection::Recvonly => Direction::RecvOnly,
        _ => Direction::Inactive,
    }
}

fn rtp_direction(d: Direction) -> RtpTransceiverDirection {
    match d {
        Direction::SendRecv => RtpTransceiverDirection::Sendrecv,
        Direction::SendOnly => RtpTransceiverDirection::Sendonly,
        Direction::RecvOnly => RtpTransceiverDirection::Recvonly,
        Direction::Inactive => RtpTransceiverDirection::Inactive,
    }
}

/// What both allow: we send if we want to and the peer receives, and the other way round.
fn intersect(ours: Direction, theirs_reversed: Direction) -> Direction {
    let (a, b) = (rtp_direction(ours), rtp_direction(theirs_reversed));
    sdp_direction(RtpTransceiverDirection::from_flags(
        a.sends() && b.sends(),
        a.receives() && b.receives(),
    ))
}

/// An ICE candidate as an SDP value.
pub(crate) fn to_sdp_candidate(c: &Candidate) -> ortc_sdp::Candidate {
    let typ = match c.kind {
        CandidateKind::Host => CandidateType::Host,
        CandidateKind::PeerReflexive => CandidateType::PeerReflexive,
        CandidateKind::ServerReflexive => CandidateType::ServerReflexive,
        CandidateKind::Relayed => CandidateType::Relay,
    };
    let mut s = ortc_sdp::Candidate::new(
        c.foundation.clone(),
        c.component,
        CandidateTransport::Udp,
        c.priority,
        CandidateAddress::Ip(c.addr.ip()),
        c.addr.port(),
        typ,
    );
    if let Some(r) = c.related {
        s.related_address = Some(CandidateAddress::Ip(r.ip()));
        s.related_port = Some(r.port());
    }
    s
}

/// A remote SDP candidate for the ICE agent: UDP candidates of component 1 only (`None` for others).
fn from_sdp_candidate(c: &ortc_sdp::Candidate) -> Option<RemoteCandidate> {
    if c.transport != CandidateTransport::Udp || c.component != 1 {
        return None;
    }
    let kind = match c.typ {
        CandidateType::Host => CandidateKind::Host,
        CandidateType::ServerReflexive => CandidateKind::ServerReflexive,
        CandidateType::PeerReflexive => CandidateKind::PeerReflexive,
        CandidateType::Relay => CandidateKind::Relayed,
        CandidateType::Other(_) => return None,
    };
    let related = match (&c.related_address, c.related_port) {
        (Some(CandidateAddress::Ip(ip)), Some(port)) => Some(SocketAddr::new(*ip, port)),
        _ => None,
    };
    Some(match &c.address {
        CandidateAddress::Ip(ip) => RemoteCandidate::Resolved(Candidate::new(
            c.foundation.clone(),
            c.component,
            c.priority,
            SocketAddr::new(*ip, c.port),
            kind,
            related,
        )),
        CandidateAddress::Fqdn(name) => RemoteCandidate::Unresolved(UnresolvedCandidate {
            foundation: c.foundation.clone(),
            component: c.component,
            priority: c.priority,
            hostname: name.clone(),
            port: c.port,
            kind,
        }),
    })
}
