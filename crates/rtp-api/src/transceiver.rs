//! `RtpTransceiver`: a sender and a receiver sharing one m-section (W3C `RTCRtpTransceiver`).
//!
//! Its state (mid, direction, negotiated direction, codec preferences, stopped) is owned by the session's
//! driver task and published to every handle as a snapshot through a `watch` channel, so the getters are
//! synchronous and no lock is shared between handles.

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::driver::{Command, DriverError, RtpDriver};
use crate::params::{ParametersError, filter_codec_preferences};
use crate::{RtpReceiver, RtpSender};
use ortc_codecs::{MediaKind, RtpCodecCapability};
use ortc_rtp_packet::Mid;

/// Which way media flows (W3C `RTCRtpTransceiverDirection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtpTransceiverDirection {
    /// Send and receive.
    Sendrecv,
    /// Send only.
    Sendonly,
    /// Receive only.
    Recvonly,
    /// Neither.
    Inactive,
    /// The transceiver was stopped (only ever a current direction).
    Stopped,
}

impl RtpTransceiverDirection {
    /// Whether media is sent.
    pub fn sends(self) -> bool {
        matches!(self, Self::Sendrecv | Self::Sendonly)
    }

    /// Whether media is received.
    pub fn receives(self) -> bool {
        matches!(self, Self::Sendrecv | Self::Recvonly)
    }

    /// The direction from `sends` and `receives`.
    pub fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::Sendrecv,
            (true, false) => Self::Sendonly,
            (false, true) => Self::Recvonly,
            (false, false) => Self::Inactive,
        }
    }

    /// The direction seen from the other side (sendonly ↔ recvonly).
    #[must_use]
    pub fn reversed(self) -> Self {
        match self {
            Self::Sendonly => Self::Recvonly,
            Self::Recvonly => Self::Sendonly,
            other => other,
        }
    }

    /// The SDP attribute name (`sendrecv`, …); `None` for `Stopped`.
    pub fn as_sdp(self) -> Option<&'static str> {
        Some(match self {
            Self::Sendrecv => "sendrecv",
            Self::Sendonly => "sendonly",
            Self::Recvonly => "recvonly",
            Self::Inactive => "inactive",
            Self::Stopped => return None,
        })
    }
}

/// What a transceiver's handles see.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TransceiverState {
    /// The m-section's mid, once negotiated.
    pub mid: Option<Mid>,
    /// The direction asked for.
    pub direction: RtpTransceiverDirection,
    /// The direction negotiated (`None` before any answer; `Stopped` after stop).
    pub current_direction: Option<RtpTransceiverDirection>,
    /// The codecs to offer and accept, in order (empty: every capability).
    pub codec_preferences: Vec<RtpCodecCapability>,
    /// Whether [`RtpTransceiver::stop`] was called.
    pub stopped: bool,
}

/// A change the driver applies to a transceiver's state.
pub(crate) type StateUpdate = Box<dyn FnOnce(&mut TransceiverState) + Send>;

/// Why a transceiver call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransceiverError {
    /// The transceiver is stopped (W3C `InvalidStateError`).
    #[error("InvalidStateError: the transceiver is stopped")]
    Stopped,
    /// `Stopped` is not a direction one can ask for (W3C `TypeError`).
    #[error("TypeError: \"stopped\" is not a direction to set; call stop()")]
    StoppedDirection,
    /// A codec preference was refused (W3C `InvalidModificationError`).
    #[error("InvalidModificationError: {0}")]
    CodecPreferences(#[from] ParametersError),
    /// The driver has ended.
    #[error(transparent)]
    Driver(#[from] DriverError),
}

/// A sender and a receiver of one kind sharing an m-section.
#[derive(Debug, Clone)]
pub struct RtpTransceiver {
    kind: MediaKind,
    sender: RtpSender,
    receiver: RtpReceiver,
    driver: RtpDriver,
    id: usize,
    state: watch::Receiver<TransceiverState>,
}

impl RtpTransceiver {
    /// A transceiver of `kind` on the session `driver` runs, asking for `direction`.
    pub async fn new(
        kind: MediaKind,
        direction: RtpTransceiverDirection,
        driver: &RtpDriver,
    ) -> Result<Self, TransceiverError> {
        if direction == RtpTransceiverDirection::Stopped {
            return Err(TransceiverError::StoppedDirection);
        }
        let initial = TransceiverState {
            mid: None,
            direction,
            current_direction: None,
            codec_preferences: Vec::new(),
            stopped: false,
        };
        let (id, state) = driver
            .call(|reply| Command::AddTransceiver { state: initial, reply })
            .await?;
        Ok(Self {
            kind,
            sender: RtpSender::new(kind, driver.clone()),
            receiver: RtpReceiver::new(kind, driver.clone()),
            driver: driver.clone(),
            id,
            state,
        })
    }

    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// The sender.
    pub fn sender(&self) -> &RtpSender {
        &self.sender
    }

    /// The sender, to send or replace its track.
    pub fn sender_mut(&mut self) -> &mut RtpSender {
        &mut self.sender
    }

    /// The receiver.
    pub fn receiver(&self) -> &RtpReceiver {
        &self.receiver
    }

    /// The receiver, to start receiving.
    pub fn receiver_mut(&mut self) -> &mut RtpReceiver {
        &mut self.receiver
    }

    /// The mid, once negotiated.
    pub fn mid(&self) -> Option<Mid> {
        self.state.borrow().mid
    }

    /// The direction asked for.
    pub fn direction(&self) -> RtpTransceiverDirection {
        self.state.borrow().direction
    }

    /// The negotiated direction: `None` until an answer was applied, `Stopped` after [`RtpTransceiver::stop`].
    pub fn current_direction(&self) -> Option<RtpTransceiverDirection> {
        self.state.borrow().current_direction
    }

    /// Whether the transceiver was stopped.
    pub fn stopped(&self) -> bool {
        self.state.borrow().stopped
    }

    /// The codec preferences set (empty: every capability).
    pub fn codec_preferences(&self) -> Vec<RtpCodecCapability> {
        self.state.borrow().codec_preferences.clone()
    }

    /// A snapshot of the whole state.
    pub fn state(&self) -> TransceiverState {
        self.state.borrow().clone()
    }

    async fn update(&self, f: impl FnOnce(&mut TransceiverState) + Send + 'static) -> Result<(), TransceiverError> {
        let id = self.id;
        let update: StateUpdate = Box::new(f);
        self.driver
            .call(|reply| Command::UpdateTransceiver { id, update, reply })
            .await?;
        Ok(())
    }

    /// Asks for a new direction, applied at the next negotiation (`current_direction` changes then).
    pub async fn set_direction(&self, direction: RtpTransceiverDirection) -> Result<(), TransceiverError> {
        if direction == RtpTransceiverDirection::Stopped {
            return Err(TransceiverError::StoppedDirection);
        }
        if self.stopped() {
            return Err(TransceiverError::Stopped);
        }
        self.update(move |s| s.direction = direction).await
    }

    /// Sets the codecs to negotiate, in order of preference: each must be one of the receive capabilities
    /// of this kind; RTX, RED and FEC only beside a media codec; an empty list goes back to every
    /// capability. Our own offers follow the preferences too.
    pub async fn set_codec_preferences(&self, codecs: &[RtpCodecCapability]) -> Result<(), TransceiverError> {
        if self.stopped() {
            return Err(TransceiverError::Stopped);
        }
        let filtered = if codecs.is_empty() {
            Vec::new()
        } else {
            filter_codec_preferences(self.kind, codecs)?
        };
        self.update(move |s| s.codec_preferences = filtered).await
    }

    /// Records what negotiation settled (for the offer/answer layer): the mid and the negotiated direction.
    pub async fn set_negotiated(
        &self,
        mid: Option<Mid>,
        current_direction: RtpTransceiverDirection,
    ) -> Result<(), TransceiverError> {
        if self.stopped() {
            return Err(TransceiverError::Stopped);
        }
        self.update(move |s| {
            if mid.is_some() {
                s.mid = mid;
            }
            s.current_direction = Some(current_direction);
        })
        .await
    }

    /// Stops the transceiver: the sender stops (BYE), the receiver stops (its track ends), and the
    /// direction becomes `Stopped`. Stopping twice does nothing.
    pub async fn stop(&mut self) -> Result<(), TransceiverError> {
        if self.stopped() {
            return Ok(());
        }
        self.sender.stop().await?;
        self.receiver.stop().await?;
        self.update(|s| {
            s.stopped = true;
            s.current_direction = Some(RtpTransceiverDirection::Stopped);
        })
        .await
    }
}
