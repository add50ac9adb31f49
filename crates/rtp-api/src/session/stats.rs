//! Counters kept by the session core, from what was really sent and received. The object layer names them
//! the W3C way (webrtc-stats `outbound-rtp`, `inbound-rtp`, `remote-*`).

use std::time::Instant;

use ortc_rtp_packet::Ssrc;

/// One send stream (`outbound-rtp`, with `remote-inbound-rtp` from the peer's reports).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SenderStats {
    /// The media SSRC.
    pub ssrc: Ssrc,
    /// The RTX SSRC, when negotiated.
    pub rtx_ssrc: Option<Ssrc>,
    /// RTP packets sent, retransmissions excluded — `packetsSent`.
    pub packets_sent: u64,
    /// Payload bytes sent, retransmissions excluded — `bytesSent`.
    pub bytes_sent: u64,
    /// Header (and padding) bytes sent, retransmissions excluded — `headerBytesSent`.
    pub header_bytes_sent: u64,
    /// Retransmitted packets (RTX, or resent on the media SSRC) — `retransmittedPacketsSent`.
    pub retransmitted_packets_sent: u64,
    /// Payload bytes of those — `retransmittedBytesSent`.
    pub retransmitted_bytes_sent: u64,
    /// Frames handed to the stream — `framesSent`.
    pub frames_sent: u64,
    /// NACK packets received for this stream — `nackCount`.
    pub nack_count: u64,
    /// Sequence numbers a NACK asked for that were no longer in the history (or too old) and could not be resent.
    pub nack_unanswered: u64,
    /// PLIs received — `pliCount`.
    pub pli_count: u64,
    /// New FIRs received — `firCount`.
    pub fir_count: u64,
    /// Packets dropped because the send queue was full.
    pub packets_dropped: u64,
    /// The latest REMB bitrate naming this stream, bits per second.
    pub remb_bitrate: Option<u64>,
    /// What the peer's reports say about this stream.
    pub remote: Option<RemoteInboundStats>,
}

/// The peer's view of one of our send streams, from its report blocks (`remote-inbound-rtp`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RemoteInboundStats {
    /// Cumulative packets lost — `packetsLost`.
    pub packets_lost: i64,
    /// Fraction lost in the last interval, 0..1 — `fractionLost`.
    pub fraction_lost: f64,
    /// Interarrival jitter, seconds — `jitter`.
    pub jitter: f64,
    /// The latest round-trip time, seconds — `roundTripTime`.
    pub round_trip_time: Option<f64>,
    /// Sum of every measured round-trip time, seconds — `totalRoundTripTime`.
    pub total_round_trip_time: f64,
    /// Round-trip times measured — `roundTripTimeMeasurements`.
    pub round_trip_time_measurements: u64,
    /// Report blocks received.
    pub reports_received: u64,
}

/// One receive stream (`inbound-rtp`, with `remote-outbound-rtp` from the peer's sender reports).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReceiverStats {
    /// The media SSRC, once known.
    pub ssrc: Option<Ssrc>,
    /// Authenticated RTP packets routed to this stream, RTX included.
    pub packets_routed: u64,
    /// Media packets stored, retransmissions included — `packetsReceived`.
    pub packets_received: u64,
    /// Payload bytes of those — `bytesReceived`.
    pub bytes_received: u64,
    /// Header and padding bytes of those — `headerBytesReceived`.
    pub header_bytes_received: u64,
    /// Cumulative packets lost (RFC 3550) — `packetsLost`.
    pub packets_lost: i64,
    /// Packets dropped as late or to make room — `packetsDiscarded`.
    pub packets_discarded: u64,
    /// Duplicates dropped.
    pub packets_duplicated: u64,
    /// Packets whose payload did not parse for the codec, or whose payload type is not negotiated.
    pub packets_malformed: u64,
    /// RTX packets received.
    pub retransmitted_packets_received: u64,
    /// Missing packets recovered by retransmission.
    pub packets_recovered: u64,
    /// Interarrival jitter, seconds — `jitter`.
    pub jitter: f64,
    /// Complete frames — `framesReceived`.
    pub frames_received: u64,
    /// Frames handed out — `framesDecoded` once decoded by the object layer.
    pub frames_emitted: u64,
    /// Keyframes handed out.
    pub key_frames_emitted: u64,
    /// Frames dropped — `framesDropped`.
    pub frames_dropped: u64,
    /// Audio packets concealed — `concealmentEvents`.
    pub concealment_events: u64,
    /// NACK sequence numbers sent — `nackCount`.
    pub nack_count: u64,
    /// PLIs sent — `pliCount`.
    pub pli_count: u64,
    /// FIRs sent — `firCount`.
    pub fir_count: u64,
    /// Sum of jitter buffer delays, seconds — `jitterBufferDelay`.
    pub jitter_buffer_delay: f64,
    /// Frames (audio: packets) released by the jitter buffer — `jitterBufferEmittedCount`.
    pub jitter_buffer_emitted_count: u64,
    /// The current playout delay target, seconds — `jitterBufferTargetDelay` (per emitted frame).
    pub jitter_buffer_target_delay: f64,
    /// The latest audio level, 0..1, from the ssrc-audio-level extension — `audioLevel`.
    pub audio_level: Option<f64>,
    /// When the last packet arrived — `lastPacketReceivedTimestamp`.
    pub last_packet_received: Option<Instant>,
    /// What the peer's sender reports say.
    pub remote: Option<RemoteOutboundStats>,
}

/// The peer's sender report about the stream we receive (`remote-outbound-rtp`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RemoteOutboundStats {
    /// Packets the peer says it sent — `packetsSent`.
    pub packets_sent: u64,
    /// Payload bytes the peer says it sent — `bytesSent`.
    pub bytes_sent: u64,
    /// The report's NTP time — `remoteTimestamp`.
    pub remote_timestamp: ortc_rtcp::NtpTime,
    /// Sender reports received — `reportsSent`.
    pub reports_sent: u64,
    /// The latest round-trip time from an XR DLRR answer to our receiver reference time, seconds —
    /// `roundTripTime` (a receive-only endpoint has no other).
    pub round_trip_time: Option<f64>,
    /// Sum of those, seconds — `totalRoundTripTime`.
    pub total_round_trip_time: f64,
    /// How many — `roundTripTimeMeasurements`.
    pub round_trip_time_measurements: u64,
}

/// Counters of the session as a whole: every datagram it could not use is counted here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStats {
    /// SRTP packets handed in.
    pub rtp_received: u64,
    /// SRTCP packets handed in.
    pub rtcp_received: u64,
    /// Packets that failed SRTP/SRTCP checks (authentication, replay, …; details in the SRTP counters).
    pub srtp_rejected: u64,
    /// Packets received before keys were set.
    pub no_keys: u64,
    /// Authenticated RTP that does not parse.
    pub rtp_malformed: u64,
    /// RTCP packets (inside a compound) that do not parse.
    pub rtcp_malformed: u64,
    /// Authenticated RTP no receive stream claims (unknown SSRC, mid, rid or payload type).
    pub rtp_unrouted: u64,
    /// RTCP about SSRCs we neither send nor receive.
    pub rtcp_foreign: u64,
    /// RTCP compounds dropped because the RTCP queue was full.
    pub rtcp_dropped: u64,
    /// Packets the SRTP layer refused to protect.
    pub protect_failed: u64,
    /// Transport-wide CC feedback messages sent.
    pub transport_feedback_sent: u64,
    /// Packets that arrived after the transport-wide feedback covering them went out (reported lost).
    pub transport_feedback_late: u64,
    /// Feedback compounds (NACK, PLI, FIR) sent at once in the early slot (RFC 4585 §3.5.2).
    pub feedback_early: u64,
    /// Feedback compounds that waited for, and went out with, a regular report.
    pub feedback_with_report: u64,
}
