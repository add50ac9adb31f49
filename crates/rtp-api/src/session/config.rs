//! What a session and its streams are set up with: negotiated parameters, already validated by the caller's
//! offer/answer (or ORTC `send` / `receive`) step.

use std::time::{Duration, Instant};

use ortc_codecs::MediaKind;
use ortc_rtcp::NtpTime;
use ortc_rtp_packet::{ExtensionMap, Mid, PayloadType, Rid, Ssrc};

/// Options of one [`RtpSession`](crate::session::RtpSession): one transport (one BUNDLE group).
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The RTCP CNAME of every stream sent in this session (RFC 7022: random, one per peer connection).
    pub cname: String,
    /// Header extension ids negotiated for the transport. Under BUNDLE an URI has one id across every
    /// m-section (RFC 8843 §9.2), so one map serves every stream, for demultiplexing too.
    pub extensions: ExtensionMap,
    /// The session bandwidth in bit/s when signalled (`b=AS`, or a known cap); otherwise the RTP rate measured
    /// both ways sets the RTCP report interval (RFC 3550 §6.2: RTCP takes 5 % of the session bandwidth).
    pub session_bandwidth: Option<u64>,
    /// Regular RTCP compounds (SR/RR, SDES, XR) go out no more often than this (RFC 4585 `T_rr_interval`);
    /// feedback is timed by the bandwidth-based RTCP interval, not by this.
    pub rtcp_report_interval: Duration,
    /// A wall-clock reading taken with `now`, so that `Instant`s can be turned into the NTP times of sender
    /// reports and abs-send-time without reading a clock.
    pub clock: (Instant, NtpTime),
    /// Seeds the RTCP interval randomisation (not a secret: report timing only).
    pub seed: u64,
    /// Most RTP packets queued for sending across every stream; beyond it new packets are dropped and counted.
    pub max_queued_packets: usize,
    /// Whether `a=rtcp-rsize` was negotiated: feedback (NACK, PLI, transport-wide CC) then goes out alone
    /// (RFC 5506); otherwise in a compound behind a receiver report and SDES (RFC 4585 §3.1).
    pub reduced_size_rtcp: bool,
    /// Whether to send transport-wide congestion control feedback for received packets that carry the
    /// transport-wide sequence number (`transport-cc` negotiated).
    pub transport_cc_feedback: bool,
    /// How often transport-wide feedback goes out while packets arrive.
    pub transport_cc_interval: Duration,
}

impl SessionConfig {
    /// A configuration with the defaults: the RTCP interval from the measured bandwidth, regular reports at most
    /// once a second, a queue of 4096 packets, compound feedback,
    /// transport-wide feedback every 100 ms when the extension is mapped.
    pub fn new(cname: impl Into<String>, extensions: ExtensionMap, clock: (Instant, NtpTime)) -> Self {
        Self {
            cname: cname.into(),
            extensions,
            session_bandwidth: None,
            rtcp_report_interval: Duration::from_secs(1),
            clock,
            seed: 0x5EED,
            max_queued_packets: 4096,
            reduced_size_rtcp: false,
            transport_cc_feedback: true,
            transport_cc_interval: Duration::from_millis(100),
        }
    }
}

/// A codec a send stream may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendCodec {
    /// The negotiated payload type.
    pub payload_type: PayloadType,
    /// MIME type, e.g. `video/VP8`.
    pub mime_type: String,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// The payload type of its RTX stream (`apt` = this codec), when negotiated.
    pub rtx_payload_type: Option<PayloadType>,
    /// H.264 packetization-mode 1 (non-interleaved): STAP-A and FU-A allowed.
    pub h264_packetization_mode_1: bool,
}

/// One send stream: an SSRC (and its RTX SSRC) carrying frames of one track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendParams {
    /// Audio or video.
    pub kind: MediaKind,
    /// The media SSRC (random, from the OS CSPRNG).
    pub ssrc: Ssrc,
    /// The RTX SSRC, when RTX is negotiated (`a=ssrc-group:FID`).
    pub rtx_ssrc: Option<Ssrc>,
    /// The codecs, first preferred. A frame names its payload type.
    pub codecs: Vec<SendCodec>,
    /// The m-section's mid, sent in the mid header extension when it is negotiated.
    pub mid: Option<Mid>,
    /// The encoding's rid (simulcast), sent in the rtp-stream-id extension when negotiated.
    pub rid: Option<Rid>,
    /// The first sequence number (random).
    pub initial_sequence_number: u16,
    /// The first RTX sequence number (random).
    pub rtx_initial_sequence_number: u16,
    /// Added to every frame's RTP time (random, RFC 3550 §5.1).
    pub timestamp_origin: u32,
    /// Largest RTP payload, descriptor included.
    pub max_payload: usize,
    /// Packets kept for retransmission.
    pub history_packets: usize,
    /// How long a packet is kept for retransmission.
    pub history_age: Duration,
}

impl SendParams {
    /// A stream of `kind` on `ssrc` with `codecs`, numbering from zero, and the default payload budget
    /// (1200 bytes) and history (video: 1024 packets, audio: 64; one second).
    pub fn new(kind: MediaKind, ssrc: Ssrc, codecs: Vec<SendCodec>) -> Self {
        Self {
            kind,
            ssrc,
            rtx_ssrc: None,
            codecs,
            mid: None,
            rid: None,
            initial_sequence_number: 0,
            rtx_initial_sequence_number: 0,
            timestamp_origin: 0,
            max_payload: ortc_codecs::DEFAULT_MAX_PAYLOAD,
            history_packets: if kind == MediaKind::Video { 1024 } else { 64 },
            history_age: Duration::from_secs(1),
        }
    }
}

/// A codec a receive stream accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveCodec {
    /// The negotiated payload type.
    pub payload_type: PayloadType,
    /// MIME type, e.g. `audio/opus`.
    pub mime_type: String,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// The payload type of its RTX stream, when negotiated.
    pub rtx_payload_type: Option<PayloadType>,
}

/// One receive stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveParams {
    /// Audio or video.
    pub kind: MediaKind,
    /// The codecs the remote may send.
    pub codecs: Vec<ReceiveCodec>,
    /// The media SSRC, when signalled (`a=ssrc`); otherwise learned from the first packet routed here by mid,
    /// rid or payload type.
    pub ssrc: Option<Ssrc>,
    /// The RTX SSRC, when signalled.
    pub rtx_ssrc: Option<Ssrc>,
    /// The m-section's mid.
    pub mid: Option<Mid>,
    /// The encoding's rid, for a simulcast layer.
    pub rid: Option<Rid>,
    /// The SSRC our receiver reports and feedback are sent from.
    pub rtcp_ssrc: Ssrc,
    /// Whether `nack` feedback was negotiated.
    pub nack: bool,
    /// Whether `nack pli` feedback was negotiated.
    pub pli: bool,
    /// Whether `ccm fir` was negotiated: keyframes are asked for with FIR when PLI was not negotiated.
    pub fir: bool,
}

impl ReceiveParams {
    /// A stream of `kind` accepting `codecs`, reporting from `rtcp_ssrc`, with NACK and PLI for video.
    pub fn new(kind: MediaKind, codecs: Vec<ReceiveCodec>, rtcp_ssrc: Ssrc) -> Self {
        let video = kind == MediaKind::Video;
        Self {
            kind,
            codecs,
            ssrc: None,
            rtx_ssrc: None,
            mid: None,
            rid: None,
            rtcp_ssrc,
            nack: video,
            pli: video,
            fir: false,
        }
    }
}
