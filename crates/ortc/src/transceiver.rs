//! Transceivers as core state: kind, mid, direction, current direction, codec preferences and the parameters
//! negotiated for their sender and receiver.

use std::fmt;

use ortc_codecs::{MediaKind, RtpCodecCapability};
use ortc_rtp_api::RtpTransceiverDirection;
use ortc_rtp_api::params::{RtpParameters, SendStreamNumbers};
use ortc_rtp_api::session::{ReceiverId, SenderId};

/// Names a transceiver of one [`PeerConnectionCore`](crate::PeerConnectionCore), in the order they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransceiverId(pub(crate) usize);

impl TransceiverId {
    /// Its index among the connection's transceivers.
    pub fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for TransceiverId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// One transceiver (W3C `RTCRtpTransceiver`): a sender and a receiver of one kind sharing an m-section.
#[derive(Debug, Clone)]
pub struct Transceiver {
    pub(crate) kind: MediaKind,
    pub(crate) mid: Option<String>,
    pub(crate) direction: RtpTransceiverDirection,
    pub(crate) current_direction: Option<RtpTransceiverDirection>,
    pub(crate) codec_preferences: Vec<RtpCodecCapability>,
    /// The numbers its send stream starts from (SSRCs, sequence numbers, timestamp origin), drawn once.
    pub(crate) numbers: SendStreamNumbers,
    pub(crate) track_id: String,
    pub(crate) send_parameters: Option<RtpParameters>,
    pub(crate) receive_parameters: Option<RtpParameters>,
    pub(crate) sender: Option<SenderId>,
    pub(crate) receiver: Option<ReceiverId>,
    /// Its m-line index once it has one in a description.
    pub(crate) mline: Option<usize>,
    /// Made by a remote offer not yet answered: a rollback removes it.
    pub(crate) provisional: bool,
}

impl Transceiver {
    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// The mid, once an offer or answer gave it one.
    pub fn mid(&self) -> Option<&str> {
        self.mid.as_deref()
    }

    /// The direction asked for (W3C `direction`).
    pub fn direction(&self) -> RtpTransceiverDirection {
        self.direction
    }

    /// The direction negotiated (W3C `currentDirection`), once an answer was applied.
    pub fn current_direction(&self) -> Option<RtpTransceiverDirection> {
        self.current_direction
    }

    /// The codec preferences (empty: every capability of the kind).
    pub fn codec_preferences(&self) -> &[RtpCodecCapability] {
        &self.codec_preferences
    }

    /// The parameters negotiated for sending, once negotiated with a sending direction.
    pub fn send_parameters(&self) -> Option<&RtpParameters> {
        self.send_parameters.as_ref()
    }

    /// The parameters negotiated for receiving, once negotiated with a receiving direction.
    pub fn receive_parameters(&self) -> Option<&RtpParameters> {
        self.receive_parameters.as_ref()
    }

    /// The media SSRC we send from (also the SSRC our receiver reports come from).
    pub fn ssrc(&self) -> ortc_rtp_packet::Ssrc {
        self.numbers.ssrc
    }

    /// The RTX SSRC we retransmit from, when RTX is negotiated.
    pub fn rtx_ssrc(&self) -> ortc_rtp_packet::Ssrc {
        self.numbers.rtx_ssrc
    }

    /// The session's send stream, once negotiated.
    pub fn sender_id(&self) -> Option<SenderId> {
        self.sender
    }

    /// The session's receive stream, once negotiated.
    pub fn receiver_id(&self) -> Option<ReceiverId> {
        self.receiver
    }
}
