//! The W3C statistics report (webrtc-stats) as typed values, serialized with the W3C member names.
//!
//! An [`RtcStatsReport`] maps ids to [`RtcStats`] entries, in insertion order, and serializes as one JSON object
//! `{id: entry}`, as a browser's `Object.fromEntries(await pc.getStats())` prints. Each entry serializes with its
//! `"type"` (`"outbound-rtp"`, `"inbound-rtp"`, …), `id`, `timestamp` and its members in camelCase; members
//! without a value are left out. Timestamps are [`DomHighResTimeStamp`]s: milliseconds since the Unix epoch.
//!
//! The RTP stream entries are built from the session core's counters ([`crate::session::SenderStats`],
//! [`crate::session::ReceiverStats`]) with ids from [`id`], so that `localId`, `remoteId` and `codecId` name
//! entries of the same report. Members the core cannot know (encoder and decoder figures, the track, the
//! media source) are left empty for the layer that knows them to fill.
//!
//! # Example
//!
//! ```
//! use ortc_codecs::MediaKind;
//! use ortc_rtp_api::session::SenderStats;
//! use ortc_rtp_packet::{Mid, PayloadType, Ssrc};
//! use ortc_rtp_api::stats::{id, OutboundRtpStreamStats, RtcStats, RtcStatsReport, RtcStatsType, RtpStreamLinks};
//!
//! let mut sender = SenderStats::default();
//! sender.ssrc = Ssrc::new(1234);
//! sender.packets_sent = 10;
//! let links = RtpStreamLinks { transport_id: "transport-0", payload_type: PayloadType::new(111), mid: Mid::new("0").ok() };
//! let outbound = OutboundRtpStreamStats::from_sender(1.7e12, &sender, MediaKind::Audio, &links);
//!
//! let mut report = RtcStatsReport::new();
//! report.insert(RtcStats::OutboundRtp(outbound));
//! assert_eq!(report.of_type(RtcStatsType::OutboundRtp).count(), 1);
//! let Some(RtcStats::OutboundRtp(entry)) = report.get(&id::outbound_rtp(Ssrc::new(1234))) else { panic!() };
//! assert_eq!(entry.codec_id.as_deref(), Some("codec-transport-0-111"));
//! ```

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ortc_codecs::MediaKind;
use ortc_rtp_packet::{Mid, PayloadType, Rid, Ssrc};
use serde::{Deserialize, Serialize};

use crate::session::{ReceiveCodec, ReceiverStats, SendCodec, SenderStats};

/// A W3C `DOMHighResTimeStamp`: milliseconds since the Unix epoch.
pub type DomHighResTimeStamp = f64;

/// The timestamp of a wall-clock time (negative before 1970).
pub fn timestamp_from_system_time(t: SystemTime) -> DomHighResTimeStamp {
    match t.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64() * 1e3,
        Err(before) => -(before.duration().as_secs_f64() * 1e3),
    }
}

/// The timestamp of a monotonic instant, given one instant and the wall-clock time it was read at.
pub fn timestamp_from_instant(t: Instant, reference: (Instant, SystemTime)) -> DomHighResTimeStamp {
    let (at, wall) = reference;
    let base = timestamp_from_system_time(wall);
    match t.checked_duration_since(at) {
        Some(after) => base + after.as_secs_f64() * 1e3,
        None => base - (at - t).as_secs_f64() * 1e3,
    }
}

/// The ids the builders give their entries, and the links between them.
pub mod id {
    use ortc_rtp_packet::{PayloadType, Ssrc};

    /// The `outbound-rtp` entry of the send stream with this SSRC.
    pub fn outbound_rtp(ssrc: Ssrc) -> String {
        format!("outbound-rtp-{ssrc}")
    }

    /// The `inbound-rtp` entry of the receive stream with this SSRC.
    pub fn inbound_rtp(ssrc: Ssrc) -> String {
        format!("inbound-rtp-{ssrc}")
    }

    /// The `remote-inbound-rtp` entry: the peer's reports about our send stream with this SSRC.
    pub fn remote_inbound_rtp(ssrc: Ssrc) -> String {
        format!("remote-inbound-rtp-{ssrc}")
    }

    /// The `remote-outbound-rtp` entry: the peer's sender reports about the stream with this SSRC we receive.
    pub fn remote_outbound_rtp(ssrc: Ssrc) -> String {
        format!("remote-outbound-rtp-{ssrc}")
    }

    /// The `media-source` entry of the track the send stream with this SSRC sends.
    pub fn media_source(ssrc: Ssrc) -> String {
        format!("media-source-{ssrc}")
    }

    /// The `codec` entry of a payload type on a transport.
    pub fn codec(transport_id: &str, payload_type: PayloadType) -> String {
        format!("codec-{transport_id}-{payload_type}")
    }
}

/// Serde for [`MediaKind`] as the W3C `kind` string (`"audio"`, `"video"`).
mod media_kind {
    use ortc_codecs::MediaKind;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(
        clippy::trivially_copy_pass_by_ref,
        reason = "serde's `serialize_with` passes a reference"
    )]
    pub(super) fn serialize<S: Serializer>(kind: &MediaKind, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(kind.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<MediaKind, D::Error> {
        let kind = String::deserialize(deserializer)?;
        match kind.as_str() {
            "audio" => Ok(MediaKind::Audio),
            "video" => Ok(MediaKind::Video),
            other => Err(D::Error::unknown_variant(other, &["audio", "video"])),
        }
    }
}

/// A counter the W3C types `unsigned long`, from a 64-bit count (saturating).
fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What an RTP stream entry links to, besides its own counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpStreamLinks<'a> {
    /// The id of the `transport` entry the stream runs on — `transportId`.
    pub transport_id: &'a str,
    /// The payload type in use, if known: `codecId` is [`id::codec`] of it on the transport.
    pub payload_type: Option<PayloadType>,
    /// The transceiver's mid — `mid` (local entries only).
    pub mid: Option<Mid>,
}

impl RtpStreamLinks<'_> {
    fn codec_id(&self) -> Option<String> {
        self.payload_type.map(|pt| id::codec(self.transport_id, pt))
    }

    fn mid(&self) -> Option<Mid> {
        self.mid
    }
}

/// The W3C `RTCStatsType`: what an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RtcStatsType {
    /// `"outbound-rtp"`.
    #[serde(rename = "outbound-rtp")]
    OutboundRtp,
    /// `"inbound-rtp"`.
    #[serde(rename = "inbound-rtp")]
    InboundRtp,
    /// `"remote-inbound-rtp"`.
    #[serde(rename = "remote-inbound-rtp")]
    RemoteInboundRtp,
    /// `"remote-outbound-rtp"`.
    #[serde(rename = "remote-outbound-rtp")]
    RemoteOutboundRtp,
    /// `"codec"`.
    #[serde(rename = "codec")]
    Codec,
    /// `"media-source"`.
    #[serde(rename = "media-source")]
    MediaSource,
    /// `"transport"`.
    #[serde(rename = "transport")]
    Transport,
    /// `"candidate-pair"`.
    #[serde(rename = "candidate-pair")]
    CandidatePair,
    /// `"local-candidate"`.
    #[serde(rename = "local-candidate")]
    LocalCandidate,
    /// `"remote-candidate"`.
    #[serde(rename = "remote-candidate")]
    RemoteCandidate,
    /// `"certificate"`.
    #[serde(rename = "certificate")]
    Certificate,
    /// `"peer-connection"`.
    #[serde(rename = "peer-connection")]
    PeerConnection,
}

impl RtcStatsType {
    /// The W3C type string, e.g. `"outbound-rtp"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutboundRtp => "outbound-rtp",
            Self::InboundRtp => "inbound-rtp",
            Self::RemoteInboundRtp => "remote-inbound-rtp",
            Self::RemoteOutboundRtp => "remote-outbound-rtp",
            Self::Codec => "codec",
            Self::MediaSource => "media-source",
            Self::Transport => "transport",
            Self::CandidatePair => "candidate-pair",
            Self::LocalCandidate => "local-candidate",
            Self::RemoteCandidate => "remote-candidate",
            Self::Certificate => "certificate",
            Self::PeerConnection => "peer-connection",
        }
    }
}

/// One entry of a report, serialized with its W3C `"type"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum RtcStats {
    /// A send stream — `"outbound-rtp"`.
    #[serde(rename = "outbound-rtp")]
    OutboundRtp(OutboundRtpStreamStats),
    /// A receive stream — `"inbound-rtp"`.
    #[serde(rename = "inbound-rtp")]
    InboundRtp(InboundRtpStreamStats),
    /// The peer's view of a send stream — `"remote-inbound-rtp"`.
    #[serde(rename = "remote-inbound-rtp")]
    RemoteInboundRtp(RemoteInboundRtpStreamStats),
    /// The peer's sender reports about a receive stream — `"remote-outbound-rtp"`.
    #[serde(rename = "remote-outbound-rtp")]
    RemoteOutboundRtp(RemoteOutboundRtpStreamStats),
    /// A codec in use — `"codec"`.
    #[serde(rename = "codec")]
    Codec(RtcCodecStats),
    /// A track attached to a sender — `"media-source"`.
    #[serde(rename = "media-source")]
    MediaSource(MediaSourceStats),
    /// A DTLS transport and its ICE transport — `"transport"`.
    #[serde(rename = "transport")]
    Transport(TransportStats),
    /// An ICE candidate pair — `"candidate-pair"`.
    #[serde(rename = "candidate-pair")]
    CandidatePair(IceCandidatePairStats),
    /// A local ICE candidate — `"local-candidate"`.
    #[serde(rename = "local-candidate")]
    LocalCandidate(IceCandidateStats),
    /// A remote ICE candidate — `"remote-candidate"`.
    #[serde(rename = "remote-candidate")]
    RemoteCandidate(IceCandidateStats),
    /// A DTLS certificate — `"certificate"`.
    #[serde(rename = "certificate")]
    Certificate(CertificateStats),
    /// The peer connection — `"peer-connection"`.
    #[serde(rename = "peer-connection")]
    PeerConnection(PeerConnectionStats),
}

impl RtcStats {
    /// The entry's id — `id`.
    pub fn id(&self) -> &str {
        match self {
            Self::OutboundRtp(s) => &s.id,
            Self::InboundRtp(s) => &s.id,
            Self::RemoteInboundRtp(s) => &s.id,
            Self::RemoteOutboundRtp(s) => &s.id,
            Self::Codec(s) => &s.id,
            Self::MediaSource(s) => &s.id,
            Self::Transport(s) => &s.id,
            Self::CandidatePair(s) => &s.id,
            Self::LocalCandidate(s) | Self::RemoteCandidate(s) => &s.id,
            Self::Certificate(s) => &s.id,
            Self::PeerConnection(s) => &s.id,
        }
    }

    /// When the entry's values were taken — `timestamp`.
    pub fn timestamp(&self) -> DomHighResTimeStamp {
        match self {
            Self::OutboundRtp(s) => s.timestamp,
            Self::InboundRtp(s) => s.timestamp,
            Self::RemoteInboundRtp(s) => s.timestamp,
            Self::RemoteOutboundRtp(s) => s.timestamp,
            Self::Codec(s) => s.timestamp,
            Self::MediaSource(s) => s.timestamp,
            Self::Transport(s) => s.timestamp,
            Self::CandidatePair(s) => s.timestamp,
            Self::LocalCandidate(s) | Self::RemoteCandidate(s) => s.timestamp,
            Self::Certificate(s) => s.timestamp,
            Self::PeerConnection(s) => s.timestamp,
        }
    }

    /// What the entry describes — `type`.
    pub fn stats_type(&self) -> RtcStatsType {
        match self {
            Self::OutboundRtp(_) => RtcStatsType::OutboundRtp,
            Self::InboundRtp(_) => RtcStatsType::InboundRtp,
            Self::RemoteInboundRtp(_) => RtcStatsType::RemoteInboundRtp,
            Self::RemoteOutboundRtp(_) => RtcStatsType::RemoteOutboundRtp,
            Self::Codec(_) => RtcStatsType::Codec,
            Self::MediaSource(_) => RtcStatsType::MediaSource,
            Self::Transport(_) => RtcStatsType::Transport,
            Self::CandidatePair(_) => RtcStatsType::CandidatePair,
            Self::LocalCandidate(_) => RtcStatsType::LocalCandidate,
            Self::RemoteCandidate(_) => RtcStatsType::RemoteCandidate,
            Self::Certificate(_) => RtcStatsType::Certificate,
            Self::PeerConnection(_) => RtcStatsType::PeerConnection,
        }
    }
}

/// A W3C `RTCStatsReport`: entries by id, in insertion order.
///
/// Serializes as a JSON object `{id: entry}`; deserializing checks that each key is its entry's id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RtcStatsReport {
    entries: Vec<RtcStats>,
}

impl RtcStatsReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry; one with the same id is replaced in its place and returned.
    pub fn insert(&mut self, entry: RtcStats) -> Option<RtcStats> {
        if let Some(slot) = self.entries.iter_mut().find(|e| e.id() == entry.id()) {
            return Some(std::mem::replace(slot, entry));
        }
        self.entries.push(entry);
        None
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&RtcStats> {
        self.entries.iter().find(|e| e.id() == id)
    }

    /// Whether an entry has this id.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> std::slice::Iter<'_, RtcStats> {
        self.entries.iter()
    }

    /// The entries of one type, in insertion order.
    pub fn of_type(&self, stats_type: RtcStatsType) -> impl Iterator<Item = &RtcStats> {
        self.entries.iter().filter(move |e| e.stats_type() == stats_type)
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a RtcStatsReport {
    type Item = &'a RtcStats;
    type IntoIter = std::slice::Iter<'a, RtcStats>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl IntoIterator for RtcStatsReport {
    type Item = RtcStats;
    type IntoIter = std::vec::IntoIter<RtcStats>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Extend<RtcStats> for RtcStatsReport {
    fn extend<I: IntoIterator<Item = RtcStats>>(&mut self, entries: I) {
        for entry in entries {
            self.insert(entry);
        }
    }
}

impl FromIterator<RtcStats> for RtcStatsReport {
    fn from_iter<I: IntoIterator<Item = RtcStats>>(entries: I) -> Self {
        let mut report = Self::new();
        report.extend(entries);
        report
    }
}

impl Serialize for RtcStatsReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for entry in &self.entries {
            map.serialize_entry(entry.id(), entry)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for RtcStatsReport {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RtcStatsReport;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of stats entries by id")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut report = RtcStatsReport::new();
                while let Some((key, entry)) = map.next_entry::<String, RtcStats>()? {
                    if key != entry.id() {
                        return Err(serde::de::Error::custom(format_args!(
                            "stats entry under key {key:?} has id {:?}",
                            entry.id()
                        )));
                    }
                    if report.insert(entry).is_some() {
                        return Err(serde::de::Error::custom(format_args!("stats id {key:?} appears twice")));
                    }
                }
                Ok(report)
            }
        }

        deserializer.deserialize_map(Visitor)
    }
}

/// A send stream — W3C `RTCOutboundRtpStreamStats`, type `"outbound-rtp"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutboundRtpStreamStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The media SSRC — `ssrc`.
    pub ssrc: Ssrc,
    /// Audio or video — `kind`.
    #[serde(with = "media_kind")]
    pub kind: MediaKind,
    /// The `transport` entry — `transportId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_id: Option<String>,
    /// The `codec` entry of the codec in use — `codecId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// The transceiver's mid — `mid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mid: Option<Mid>,
    /// The `media-source` entry of the track being sent — `mediaSourceId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_source_id: Option<String>,
    /// The `remote-inbound-rtp` entry for this stream — `remoteId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
    /// The simulcast RID — `rid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid: Option<Rid>,
    /// The RTX SSRC, when negotiated — `rtxSsrc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtx_ssrc: Option<Ssrc>,
    /// RTP packets sent, retransmissions excluded — `packetsSent`.
    pub packets_sent: u64,
    /// Payload bytes sent, retransmissions excluded — `bytesSent`.
    pub bytes_sent: u64,
    /// Header and padding bytes sent, retransmissions excluded — `headerBytesSent`.
    pub header_bytes_sent: u64,
    /// Retransmitted packets — `retransmittedPacketsSent`.
    pub retransmitted_packets_sent: u64,
    /// Payload bytes of retransmitted packets — `retransmittedBytesSent`.
    pub retransmitted_bytes_sent: u64,
    /// The encoder's target bitrate, bits per second — `targetBitrate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_bitrate: Option<f64>,
    /// Width of the last encoded frame (video) — `frameWidth`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_width: Option<u32>,
    /// Height of the last encoded frame (video) — `frameHeight`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_height: Option<u32>,
    /// Frames encoded in the last second (video) — `framesPerSecond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_per_second: Option<f64>,
    /// Frames sent (video) — `framesSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_sent: Option<u32>,
    /// Frames encoded (video) — `framesEncoded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_encoded: Option<u32>,
    /// Keyframes encoded (video) — `keyFramesEncoded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_frames_encoded: Option<u32>,
    /// NACK packets received — `nackCount`.
    pub nack_count: u32,
    /// PLIs received (video) — `pliCount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pli_count: Option<u32>,
    /// FIRs received (video) — `firCount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fir_count: Option<u32>,
    /// Whether the encoding is being sent — `active`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl OutboundRtpStreamStats {
    /// The entry of a send stream from the core's counters, with id [`id::outbound_rtp`] of its SSRC and
    /// `remoteId` naming its `remote-inbound-rtp` entry once the peer has reported on it.
    ///
    /// Encoder figures, `mediaSourceId`, `rid`, `targetBitrate` and `active` are left for the caller to set.
    pub fn from_sender(
        timestamp: DomHighResTimeStamp,
        stats: &SenderStats,
        kind: MediaKind,
        links: &RtpStreamLinks<'_>,
    ) -> Self {
        let video = |n: u64| (kind == MediaKind::Video).then(|| count32(n));
        Self {
            id: id::outbound_rtp(stats.ssrc),
            timestamp,
            ssrc: stats.ssrc,
            kind,
            transport_id: Some(links.transport_id.to_owned()),
            codec_id: links.codec_id(),
            mid: links.mid(),
            media_source_id: None,
            remote_id: stats.remote.as_ref().map(|_| id::remote_inbound_rtp(stats.ssrc)),
            rid: None,
            rtx_ssrc: stats.rtx_ssrc,
            packets_sent: stats.packets_sent,
            bytes_sent: stats.bytes_sent,
            header_bytes_sent: stats.header_bytes_sent,
            retransmitted_packets_sent: stats.retransmitted_packets_sent,
            retransmitted_bytes_sent: stats.retransmitted_bytes_sent,
            target_bitrate: None,
            frame_width: None,
            frame_height: None,
            frames_per_second: None,
            frames_sent: video(stats.frames_sent),
            frames_encoded: None,
            key_frames_encoded: None,
            nack_count: count32(stats.nack_count),
            pli_count: video(stats.pli_count),
            fir_count: video(stats.fir_count),
            active: None,
        }
    }
}

/// A receive stream — W3C `RTCInboundRtpStreamStats`, type `"inbound-rtp"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InboundRtpStreamStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The media SSRC — `ssrc`.
    pub ssrc: Ssrc,
    /// Audio or video — `kind`.
    #[serde(with = "media_kind")]
    pub kind: MediaKind,
    /// The `transport` entry — `transportId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_id: Option<String>,
    /// The `codec` entry of the codec in use — `codecId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// The id of the receiving track — `trackIdentifier`.
    pub track_identifier: String,
    /// The transceiver's mid — `mid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mid: Option<Mid>,
    /// The `remote-outbound-rtp` entry for this stream — `remoteId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
    /// Packets received, retransmissions included — `packetsReceived`.
    pub packets_received: u64,
    /// Payload bytes received — `bytesReceived`.
    pub bytes_received: u64,
    /// Header and padding bytes received — `headerBytesReceived`.
    pub header_bytes_received: u64,
    /// Cumulative packets lost (RFC 3550; may be negative) — `packetsLost`.
    pub packets_lost: i64,
    /// Packets dropped as late or to make room — `packetsDiscarded`.
    pub packets_discarded: u64,
    /// Interarrival jitter, seconds — `jitter`.
    pub jitter: f64,
    /// Complete frames received (video) — `framesReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_received: Option<u32>,
    /// Frames decoded (video) — `framesDecoded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_decoded: Option<u32>,
    /// Keyframes decoded (video) — `keyFramesDecoded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_frames_decoded: Option<u32>,
    /// Frames dropped (video) — `framesDropped`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_dropped: Option<u32>,
    /// Width of the last decoded frame (video) — `frameWidth`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_width: Option<u32>,
    /// Height of the last decoded frame (video) — `frameHeight`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_height: Option<u32>,
    /// Frames decoded in the last second (video) — `framesPerSecond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_per_second: Option<f64>,
    /// NACKs sent — `nackCount`.
    pub nack_count: u32,
    /// PLIs sent (video) — `pliCount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pli_count: Option<u32>,
    /// FIRs sent (video) — `firCount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fir_count: Option<u32>,
    /// Sum of the time each emitted frame or sample spent in the jitter buffer, seconds — `jitterBufferDelay`.
    pub jitter_buffer_delay: f64,
    /// Sum of the jitter buffer's target delay at each emission, seconds — `jitterBufferTargetDelay`.
    pub jitter_buffer_target_delay: f64,
    /// Frames or samples emitted by the jitter buffer — `jitterBufferEmittedCount`.
    pub jitter_buffer_emitted_count: u64,
    /// Samples received, concealed ones included (audio) — `totalSamplesReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_samples_received: Option<u64>,
    /// Samples concealed (audio) — `concealedSamples`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concealed_samples: Option<u64>,
    /// Runs of concealed samples (audio) — `concealmentEvents`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concealment_events: Option<u64>,
    /// The latest audio level, 0..1 (audio) — `audioLevel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_level: Option<f64>,
    /// When the last packet arrived — `lastPacketReceivedTimestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_packet_received_timestamp: Option<DomHighResTimeStamp>,
    /// Retransmitted packets received — `retransmittedPacketsReceived`.
    pub retransmitted_packets_received: u64,
}

impl InboundRtpStreamStats {
    /// The entry of a receive stream from the core's counters, with id [`id::inbound_rtp`] of its SSRC and
    /// `remoteId` naming its `remote-outbound-rtp` entry once a sender report came; `None` while the SSRC is
    /// unknown (no packet yet). `clock` pairs an `Instant` with the wall-clock time read at it, to date
    /// `lastPacketReceivedTimestamp`.
    ///
    /// `framesDecoded` and `keyFramesDecoded` count the frames handed out (a decoding layer that drops
    /// frames overrides them); `jitterBufferTargetDelay` is the current target times the emitted count
    /// (exact while the target has not changed); for audio the jitter buffer counts packets, not samples, in
    /// `jitterBufferEmittedCount` (its delay sums per packet too, so the average holds); `nackCount` counts the
    /// sequence numbers asked for. Decoder figures and sample counts are left to the caller.
    pub fn from_receiver(
        timestamp: DomHighResTimeStamp,
        stats: &ReceiverStats,
        kind: MediaKind,
        track_identifier: &str,
        links: &RtpStreamLinks<'_>,
        clock: (Instant, SystemTime),
    ) -> Option<Self> {
        let ssrc = stats.ssrc?;
        let video = |n: u64| (kind == MediaKind::Video).then(|| count32(n));
        let audio = kind == MediaKind::Audio;
        Some(Self {
            id: id::inbound_rtp(ssrc),
            timestamp,
            ssrc,
            kind,
            transport_id: Some(links.transport_id.to_owned()),
            codec_id: links.codec_id(),
            track_identifier: track_identifier.to_owned(),
            mid: links.mid(),
            remote_id: stats.remote.as_ref().map(|_| id::remote_outbound_rtp(ssrc)),
            packets_received: stats.packets_received,
            bytes_received: stats.bytes_received,
            header_bytes_received: stats.header_bytes_received,
            packets_lost: stats.packets_lost,
            packets_discarded: stats.packets_discarded,
            jitter: stats.jitter,
            frames_received: video(stats.frames_received),
            frames_decoded: video(stats.frames_emitted),
            key_frames_decoded: video(stats.key_frames_emitted),
            frames_dropped: video(stats.frames_dropped),
            frame_width: None,
            frame_height: None,
            frames_per_second: None,
            nack_count: count32(stats.nack_count),
            pli_count: video(stats.pli_count),
            fir_count: video(stats.fir_count),
            jitter_buffer_delay: stats.jitter_buffer_delay,
            #[allow(
                clippy::cast_precision_loss,
                reason = "a count beyond 2^53 loses only the low digits"
            )]
            jitter_buffer_target_delay: stats.jitter_buffer_target_delay * stats.jitter_buffer_emitted_count as f64,
            jitter_buffer_emitted_count: stats.jitter_buffer_emitted_count,
            total_samples_received: None,
            concealed_samples: None,
            concealment_events: audio.then_some(stats.concealment_events),
            audio_level: if audio { stats.audio_level } else { None },
            last_packet_received_timestamp: stats.last_packet_received.map(|t| timestamp_from_instant(t, clock)),
            retransmitted_packets_received: stats.retransmitted_packets_received,
        })
    }
}

/// The peer's view of one of our send streams, from its report blocks — W3C `RTCRemoteInboundRtpStreamStats`,
/// type `"remote-inbound-rtp"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RemoteInboundRtpStreamStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The SSRC of our send stream — `ssrc`.
    pub ssrc: Ssrc,
    /// Audio or video — `kind`.
    #[serde(with = "media_kind")]
    pub kind: MediaKind,
    /// The `transport` entry — `transportId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_id: Option<String>,
    /// The `codec` entry of the codec in use — `codecId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// The `outbound-rtp` entry of the stream — `localId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// Cumulative packets lost, as the peer reports — `packetsLost`.
    pub packets_lost: i64,
    /// Fraction lost in the last report interval, 0..1 — `fractionLost`.
    pub fraction_lost: f64,
    /// Interarrival jitter the peer measured, seconds — `jitter`.
    pub jitter: f64,
    /// The latest round-trip time, seconds — `roundTripTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_trip_time: Option<f64>,
    /// Sum of every measured round-trip time, seconds — `totalRoundTripTime`.
    pub total_round_trip_time: f64,
    /// Round-trip times measured — `roundTripTimeMeasurements`.
    pub round_trip_time_measurements: u64,
}

impl RemoteInboundRtpStreamStats {
    /// The entry of the peer's reports about a send stream, with id [`id::remote_inbound_rtp`] of its SSRC
    /// and `localId` naming its `outbound-rtp` entry; `None` until a report block about it came.
    pub fn from_sender(
        timestamp: DomHighResTimeStamp,
        stats: &SenderStats,
        kind: MediaKind,
        links: &RtpStreamLinks<'_>,
    ) -> Option<Self> {
        let remote = stats.remote.as_ref()?;
        Some(Self {
            id: id::remote_inbound_rtp(stats.ssrc),
            timestamp,
            ssrc: stats.ssrc,
            kind,
            transport_id: Some(links.transport_id.to_owned()),
            codec_id: links.codec_id(),
            local_id: Some(id::outbound_rtp(stats.ssrc)),
            packets_lost: remote.packets_lost,
            fraction_lost: remote.fraction_lost,
            jitter: remote.jitter,
            round_trip_time: remote.round_trip_time,
            total_round_trip_time: remote.total_round_trip_time,
            round_trip_time_measurements: remote.round_trip_time_measurements,
        })
    }
}

/// The peer's sender reports about a stream we receive — W3C `RTCRemoteOutboundRtpStreamStats`,
/// type `"remote-outbound-rtp"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RemoteOutboundRtpStreamStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The SSRC of the peer's send stream — `ssrc`.
    pub ssrc: Ssrc,
    /// Audio or video — `kind`.
    #[serde(with = "media_kind")]
    pub kind: MediaKind,
    /// The `transport` entry — `transportId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_id: Option<String>,
    /// The `codec` entry of the codec in use — `codecId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// The `inbound-rtp` entry of the stream — `localId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// Packets the peer says it sent — `packetsSent`.
    pub packets_sent: u64,
    /// Payload bytes the peer says it sent — `bytesSent`.
    pub bytes_sent: u64,
    /// The peer's wall-clock time in its latest sender report — `remoteTimestamp`.
    pub remote_timestamp: DomHighResTimeStamp,
    /// Sender reports received — `reportsSent`.
    pub reports_sent: u64,
    /// The latest round-trip time from the peer's reports, seconds — `roundTripTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_trip_time: Option<f64>,
    /// Sum of every such round-trip time, seconds — `totalRoundTripTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_round_trip_time: Option<f64>,
    /// Such round-trip times measured — `roundTripTimeMeasurements`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_trip_time_measurements: Option<u64>,
}

impl RemoteOutboundRtpStreamStats {
    /// The entry of the peer's sender reports about a receive stream, with id [`id::remote_outbound_rtp`] of
    /// its SSRC and `localId` naming its `inbound-rtp` entry; `None` until a sender report came.
    pub fn from_receiver(
        timestamp: DomHighResTimeStamp,
        stats: &ReceiverStats,
        kind: MediaKind,
        links: &RtpStreamLinks<'_>,
    ) -> Option<Self> {
        let ssrc = stats.ssrc?;
        let remote = stats.remote.as_ref()?;
        Some(Self {
            id: id::remote_outbound_rtp(ssrc),
            timestamp,
            ssrc,
            kind,
            transport_id: Some(links.transport_id.to_owned()),
            codec_id: links.codec_id(),
            local_id: Some(id::inbound_rtp(ssrc)),
            packets_sent: remote.packets_sent,
            bytes_sent: remote.bytes_sent,
            remote_timestamp: timestamp_from_system_time(remote.remote_timestamp.to_system_time()),
            reports_sent: remote.reports_sent,
            // From XR DLRR answers to our receiver reference time (RFC 3611), once measured.
            round_trip_time: remote.round_trip_time,
            total_round_trip_time: (remote.round_trip_time_measurements > 0).then_some(remote.total_round_trip_time),
            round_trip_time_measurements: (remote.round_trip_time_measurements > 0)
                .then_some(remote.round_trip_time_measurements),
        })
    }
}

/// A codec in use on a transport — W3C `RTCCodecStats`, type `"codec"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RtcCodecStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The payload type — `payloadType`.
    pub payload_type: PayloadType,
    /// The `transport` entry it is negotiated on — `transportId`.
    pub transport_id: String,
    /// MIME type, e.g. `video/VP8` — `mimeType`.
    pub mime_type: String,
    /// RTP clock rate — `clockRate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_rate: Option<u32>,
    /// Audio channels — `channels`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// The `a=fmtp` parameters, e.g. `minptime=10;useinbandfec=1` — `sdpFmtpLine`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdp_fmtp_line: Option<String>,
}

impl RtcCodecStats {
    /// The entry of a payload type on a transport, with id [`id::codec`].
    pub fn new(timestamp: DomHighResTimeStamp, transport_id: &str, payload_type: PayloadType, mime_type: &str) -> Self {
        Self {
            id: id::codec(transport_id, payload_type),
            timestamp,
            payload_type,
            transport_id: transport_id.to_owned(),
            mime_type: mime_type.to_owned(),
            clock_rate: None,
            channels: None,
            sdp_fmtp_line: None,
        }
    }

    /// The entry of a send codec, with its clock rate.
    pub fn from_send_codec(timestamp: DomHighResTimeStamp, transport_id: &str, codec: &SendCodec) -> Self {
        let mut stats = Self::new(timestamp, transport_id, codec.payload_type, &codec.mime_type);
        stats.clock_rate = Some(codec.clock_rate);
        stats
    }

    /// The entry of a receive codec, with its clock rate.
    pub fn from_receive_codec(timestamp: DomHighResTimeStamp, transport_id: &str, codec: &ReceiveCodec) -> Self {
        let mut stats = Self::new(timestamp, transport_id, codec.payload_type, &codec.mime_type);
        stats.clock_rate = Some(codec.clock_rate);
        stats
    }
}

/// A track attached to a sender — W3C `RTCAudioSourceStats` / `RTCVideoSourceStats`, type `"media-source"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MediaSourceStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The id of the track — `trackIdentifier`.
    pub track_identifier: String,
    /// Audio or video — `kind`.
    #[serde(with = "media_kind")]
    pub kind: MediaKind,
    /// The source's audio level, 0..1 (audio) — `audioLevel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_level: Option<f64>,
    /// The source's audio energy, summed (audio) — `totalAudioEnergy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_audio_energy: Option<f64>,
    /// Duration of all samples produced, seconds (audio) — `totalSamplesDuration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_samples_duration: Option<f64>,
    /// Width of the last frame (video) — `width`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height of the last frame (video) — `height`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Frames produced (video) — `frames`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames: Option<u32>,
    /// Frames produced in the last second (video) — `framesPerSecond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames_per_second: Option<f64>,
}

impl MediaSourceStats {
    /// An entry with only its required members.
    pub fn new(id: &str, timestamp: DomHighResTimeStamp, track_identifier: &str, kind: MediaKind) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            track_identifier: track_identifier.to_owned(),
            kind,
            audio_level: None,
            total_audio_energy: None,
            total_samples_duration: None,
            width: None,
            height: None,
            frames: None,
            frames_per_second: None,
        }
    }
}

/// The W3C `RTCIceRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcIceRole {
    /// `"unknown"`: not yet decided.
    Unknown,
    /// `"controlling"`.
    Controlling,
    /// `"controlled"`.
    Controlled,
}

/// The W3C `RTCIceTransportState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcIceTransportState {
    /// `"new"`.
    New,
    /// `"checking"`.
    Checking,
    /// `"connected"`.
    Connected,
    /// `"completed"`.
    Completed,
    /// `"disconnected"`.
    Disconnected,
    /// `"failed"`.
    Failed,
    /// `"closed"`.
    Closed,
}

/// The W3C `RTCDtlsTransportState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcDtlsTransportState {
    /// `"new"`.
    New,
    /// `"connecting"`.
    Connecting,
    /// `"connected"`.
    Connected,
    /// `"closed"`.
    Closed,
    /// `"failed"`.
    Failed,
}

/// The W3C `RTCDtlsRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcDtlsRole {
    /// `"client"`.
    Client,
    /// `"server"`.
    Server,
    /// `"unknown"`: before the handshake starts.
    Unknown,
}

/// A DTLS transport and the ICE transport under it — W3C `RTCTransportStats`, type `"transport"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransportStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// Packets sent — `packetsSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_sent: Option<u64>,
    /// Packets received — `packetsReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_received: Option<u64>,
    /// Payload bytes sent, ICE checks excluded — `bytesSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_sent: Option<u64>,
    /// Payload bytes received, ICE checks excluded — `bytesReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_received: Option<u64>,
    /// The ICE role — `iceRole`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ice_role: Option<RtcIceRole>,
    /// The local ICE username fragment — `iceLocalUsernameFragment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ice_local_username_fragment: Option<String>,
    /// The DTLS transport's state — `dtlsState`.
    pub dtls_state: RtcDtlsTransportState,
    /// The ICE transport's state — `iceState`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ice_state: Option<RtcIceTransportState>,
    /// The `candidate-pair` entry in use — `selectedCandidatePairId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_candidate_pair_id: Option<String>,
    /// The `certificate` entry of our certificate — `localCertificateId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_certificate_id: Option<String>,
    /// The `certificate` entry of the peer's certificate — `remoteCertificateId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_certificate_id: Option<String>,
    /// The DTLS version, as upper-case hex of the two wire bytes (`"FEFD"`) — `tlsVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
    /// The DTLS cipher suite's IANA name — `dtlsCipher`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtls_cipher: Option<String>,
    /// The DTLS role — `dtlsRole`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtls_role: Option<RtcDtlsRole>,
    /// The SRTP protection profile's IANA name — `srtpCipher`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_cipher: Option<String>,
    /// Times the selected candidate pair changed — `selectedCandidatePairChanges`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_candidate_pair_changes: Option<u32>,
}

impl TransportStats {
    /// An entry with only its required members.
    pub fn new(id: &str, timestamp: DomHighResTimeStamp, dtls_state: RtcDtlsTransportState) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            packets_sent: None,
            packets_received: None,
            bytes_sent: None,
            bytes_received: None,
            ice_role: None,
            ice_local_username_fragment: None,
            dtls_state,
            ice_state: None,
            selected_candidate_pair_id: None,
            local_certificate_id: None,
            remote_certificate_id: None,
            tls_version: None,
            dtls_cipher: None,
            dtls_role: None,
            srtp_cipher: None,
            selected_candidate_pair_changes: None,
        }
    }
}

/// The W3C `RTCStatsIceCandidatePairState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RtcStatsIceCandidatePairState {
    /// `"frozen"`.
    Frozen,
    /// `"waiting"`.
    Waiting,
    /// `"in-progress"`.
    InProgress,
    /// `"failed"`.
    Failed,
    /// `"succeeded"`.
    Succeeded,
}

/// An ICE candidate pair — W3C `RTCIceCandidatePairStats`, type `"candidate-pair"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IceCandidatePairStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The `transport` entry — `transportId`.
    pub transport_id: String,
    /// The `local-candidate` entry — `localCandidateId`.
    pub local_candidate_id: String,
    /// The `remote-candidate` entry — `remoteCandidateId`.
    pub remote_candidate_id: String,
    /// The pair's check-list state — `state`.
    pub state: RtcStatsIceCandidatePairState,
    /// Whether the pair was nominated — `nominated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nominated: Option<bool>,
    /// Packets sent on the pair — `packetsSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_sent: Option<u64>,
    /// Packets received on the pair — `packetsReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_received: Option<u64>,
    /// Payload bytes sent, ICE checks excluded — `bytesSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_sent: Option<u64>,
    /// Payload bytes received, ICE checks excluded — `bytesReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_received: Option<u64>,
    /// When the last packet was sent, checks excluded — `lastPacketSentTimestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_packet_sent_timestamp: Option<DomHighResTimeStamp>,
    /// When the last packet was received, checks excluded — `lastPacketReceivedTimestamp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_packet_received_timestamp: Option<DomHighResTimeStamp>,
    /// Sum of every STUN round-trip time measured, seconds — `totalRoundTripTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_round_trip_time: Option<f64>,
    /// The latest STUN round-trip time, seconds — `currentRoundTripTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_round_trip_time: Option<f64>,
    /// The estimated available send bitrate, bits per second — `availableOutgoingBitrate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_outgoing_bitrate: Option<f64>,
    /// The estimated available receive bitrate, bits per second — `availableIncomingBitrate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_incoming_bitrate: Option<f64>,
    /// Connectivity check requests received — `requestsReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_received: Option<u64>,
    /// Connectivity check requests sent — `requestsSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_sent: Option<u64>,
    /// Connectivity check responses received — `responsesReceived`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses_received: Option<u64>,
    /// Connectivity check responses sent — `responsesSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses_sent: Option<u64>,
    /// Consent freshness requests sent — `consentRequestsSent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_requests_sent: Option<u64>,
    /// Packets the socket refused to send — `packetsDiscardedOnSend`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_discarded_on_send: Option<u32>,
    /// Bytes of those — `bytesDiscardedOnSend`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_discarded_on_send: Option<u64>,
}

impl IceCandidatePairStats {
    /// An entry with only its required members.
    pub fn new(
        id: &str,
        timestamp: DomHighResTimeStamp,
        transport_id: &str,
        local_candidate_id: &str,
        remote_candidate_id: &str,
        state: RtcStatsIceCandidatePairState,
    ) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            transport_id: transport_id.to_owned(),
            local_candidate_id: local_candidate_id.to_owned(),
            remote_candidate_id: remote_candidate_id.to_owned(),
            state,
            nominated: None,
            packets_sent: None,
            packets_received: None,
            bytes_sent: None,
            bytes_received: None,
            last_packet_sent_timestamp: None,
            last_packet_received_timestamp: None,
            total_round_trip_time: None,
            current_round_trip_time: None,
            available_outgoing_bitrate: None,
            available_incoming_bitrate: None,
            requests_received: None,
            requests_sent: None,
            responses_received: None,
            responses_sent: None,
            consent_requests_sent: None,
            packets_discarded_on_send: None,
            bytes_discarded_on_send: None,
        }
    }
}

/// The W3C `RTCIceCandidateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcIceCandidateType {
    /// `"host"`.
    Host,
    /// `"srflx"`: server reflexive.
    Srflx,
    /// `"prflx"`: peer reflexive.
    Prflx,
    /// `"relay"`.
    Relay,
}

/// The W3C `RTCIceServerTransportProtocol`: how a relay candidate reaches its TURN server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcIceServerTransportProtocol {
    /// `"udp"`.
    Udp,
    /// `"tcp"`.
    Tcp,
    /// `"tls"`.
    Tls,
}

/// The W3C `RTCIceTcpCandidateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RtcIceTcpCandidateType {
    /// `"active"`.
    Active,
    /// `"passive"`.
    Passive,
    /// `"so"`: simultaneous open.
    So,
}

/// A local or remote ICE candidate — W3C `RTCIceCandidateStats`, type `"local-candidate"` or
/// `"remote-candidate"` (the [`RtcStats`] variant says which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IceCandidateStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The `transport` entry — `transportId`.
    pub transport_id: String,
    /// The candidate's address — `address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The candidate's port — `port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `"udp"` or `"tcp"` — `protocol`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Host, server reflexive, peer reflexive or relay — `candidateType`.
    pub candidate_type: RtcIceCandidateType,
    /// The candidate's priority — `priority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// The STUN or TURN server it was gathered from (local candidates) — `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How a relay candidate reaches its TURN server — `relayProtocol`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_protocol: Option<RtcIceServerTransportProtocol>,
    /// The candidate's foundation — `foundation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foundation: Option<String>,
    /// The related address (base or server reflexive address) — `relatedAddress`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_address: Option<String>,
    /// The related port — `relatedPort`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_port: Option<u16>,
    /// The ICE username fragment — `usernameFragment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
    /// The TCP candidate type — `tcpType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_type: Option<RtcIceTcpCandidateType>,
}

impl IceCandidateStats {
    /// An entry with only its required members.
    pub fn new(
        id: &str,
        timestamp: DomHighResTimeStamp,
        transport_id: &str,
        candidate_type: RtcIceCandidateType,
    ) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            transport_id: transport_id.to_owned(),
            address: None,
            port: None,
            protocol: None,
            candidate_type,
            priority: None,
            url: None,
            relay_protocol: None,
            foundation: None,
            related_address: None,
            related_port: None,
            username_fragment: None,
            tcp_type: None,
        }
    }
}

/// A DTLS certificate — W3C `RTCCertificateStats`, type `"certificate"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CertificateStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// The fingerprint, as in SDP `a=fingerprint` (colon-separated upper-case hex) — `fingerprint`.
    pub fingerprint: String,
    /// The hash function's name, e.g. `sha-256` — `fingerprintAlgorithm`.
    pub fingerprint_algorithm: String,
    /// The DER certificate in base64 — `base64Certificate`.
    pub base64_certificate: String,
    /// The `certificate` entry of the issuer, for a chain — `issuerCertificateId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_certificate_id: Option<String>,
}

impl CertificateStats {
    /// An entry with only its required members.
    pub fn new(
        id: &str,
        timestamp: DomHighResTimeStamp,
        fingerprint: &str,
        fingerprint_algorithm: &str,
        base64_certificate: &str,
    ) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            fingerprint: fingerprint.to_owned(),
            fingerprint_algorithm: fingerprint_algorithm.to_owned(),
            base64_certificate: base64_certificate.to_owned(),
            issuer_certificate_id: None,
        }
    }
}

/// The peer connection — W3C `RTCPeerConnectionStats`, type `"peer-connection"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PeerConnectionStats {
    /// The entry's id — `id`.
    pub id: String,
    /// When the values were taken — `timestamp`.
    pub timestamp: DomHighResTimeStamp,
    /// Data channels that reached `open` — `dataChannelsOpened`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_channels_opened: Option<u32>,
    /// Data channels that left `open` — `dataChannelsClosed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_channels_closed: Option<u32>,
}

impl PeerConnectionStats {
    /// An entry with only its required members.
    pub fn new(id: &str, timestamp: DomHighResTimeStamp) -> Self {
        Self {
            id: id.to_owned(),
            timestamp,
            data_channels_opened: None,
            data_channels_closed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ortc_rtcp::NtpTime;
    use serde_json::{Value, json};

    use super::*;
    use crate::session::{RemoteInboundStats, RemoteOutboundStats};

    /// 2023-11-14T22:13:20Z, a whole number of milliseconds exactly representable as f64.
    const T0_MS: f64 = 1_700_000_000_000.0;

    fn t0() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[allow(
        clippy::field_reassign_with_default,
        reason = "the core's counters grow; name only those checked"
    )]
    fn video_sender() -> SenderStats {
        let mut remote = RemoteInboundStats::default();
        remote.packets_lost = 4;
        remote.fraction_lost = 0.25;
        remote.jitter = 0.002;
        remote.round_trip_time = Some(0.05);
        remote.total_round_trip_time = 0.15;
        remote.round_trip_time_measurements = 3;
        remote.reports_received = 5;
        let mut s = SenderStats::default();
        s.ssrc = Ssrc::new(0x1111);
        s.rtx_ssrc = Some(Ssrc::new(0x1112));
        s.packets_sent = 100;
        s.bytes_sent = 120_000;
        s.header_bytes_sent = 1_200;
        s.retransmitted_packets_sent = 3;
        s.retransmitted_bytes_sent = 3_600;
        s.frames_sent = 30;
        s.nack_count = 2;
        s.nack_unanswered = 9;
        s.pli_count = 1;
        s.fir_count = 0;
        s.packets_dropped = 8;
        s.remb_bitrate = Some(500_000);
        s.remote = Some(remote);
        s
    }

    #[allow(
        clippy::field_reassign_with_default,
        reason = "the core's counters grow; name only those checked"
    )]
    fn audio_receiver(reference: (Instant, SystemTime)) -> ReceiverStats {
        let mut remote = RemoteOutboundStats::default();
        remote.packets_sent = 52;
        remote.bytes_sent = 8_320;
        // One and a half seconds before T0, in NTP.
        remote.remote_timestamp = NtpTime(((2_208_988_800 + 1_699_999_998) << 32) | (1 << 31));
        remote.reports_sent = 2;
        let mut r = ReceiverStats::default();
        r.ssrc = Some(Ssrc::new(0x2222));
        r.packets_routed = 51;
        r.packets_received = 50;
        r.bytes_received = 8_000;
        r.header_bytes_received = 600;
        r.packets_lost = 2;
        r.packets_discarded = 1;
        r.packets_duplicated = 7;
        r.packets_malformed = 6;
        r.retransmitted_packets_received = 1;
        r.packets_recovered = 1;
        r.jitter = 0.004;
        r.frames_received = 50;
        r.frames_emitted = 49;
        r.key_frames_emitted = 49;
        r.frames_dropped = 1;
        r.concealment_events = 2;
        r.nack_count = 3;
        r.pli_count = 4;
        r.fir_count = 5;
        r.jitter_buffer_delay = 2.5;
        r.jitter_buffer_emitted_count = 50;
        r.jitter_buffer_target_delay = 0.0625;
        r.audio_level = Some(0.5);
        r.last_packet_received = Some(reference.0 + Duration::from_millis(250));
        r.remote = Some(remote);
        r
    }

    /// A report with one entry of every type, the RTP ones built from the counters above.
    fn full_report() -> RtcStatsReport {
        let reference = (Instant::now(), t0());
        let sender = video_sender();
        let receiver = audio_receiver(reference);
        let video_links = RtpStreamLinks {
            transport_id: "transport-0",
            payload_type: Some(PayloadType::new(96).unwrap()),
            mid: Mid::new("1").ok(),
        };
        let audio_links = RtpStreamLinks {
            transport_id: "transport-0",
            payload_type: Some(PayloadType::new(111).unwrap()),
            mid: Mid::new("0").ok(),
        };

        let mut outbound = OutboundRtpStreamStats::from_sender(T0_MS, &sender, MediaKind::Video, &video_links);
        outbound.media_source_id = Some("media-source-camera".into());
        outbound.frames_encoded = Some(30);
        outbound.key_frames_encoded = Some(1);
        outbound.frame_width = Some(640);
        outbound.frame_height = Some(480);
        outbound.active = Some(true);
        let remote_inbound =
            RemoteInboundRtpStreamStats::from_sender(T0_MS, &sender, MediaKind::Video, &video_links).unwrap();
        let inbound = InboundRtpStreamStats::from_receiver(
            T0_MS,
            &receiver,
            MediaKind::Audio,
            "track-mic",
            &audio_links,
            reference,
        )
        .unwrap();
        let remote_outbound =
            RemoteOutboundRtpStreamStats::from_receiver(T0_MS, &receiver, MediaKind::Audio, &audio_links).unwrap();

        let vp8 = SendCodec {
            payload_type: PayloadType::new(96).unwrap(),
            mime_type: "video/VP8".into(),
            clock_rate: 90_000,
            rtx_payload_type: Some(PayloadType::new(97).unwrap()),
            h264_packetization_mode_1: false,
        };
        let opus = ReceiveCodec {
            payload_type: PayloadType::new(111).unwrap(),
            mime_type: "audio/opus".into(),
            clock_rate: 48_000,
            rtx_payload_type: None,
        };
        let mut opus = RtcCodecStats::from_receive_codec(T0_MS, "transport-0", &opus);
        opus.channels = Some(2);
        opus.sdp_fmtp_line = Some("minptime=10;useinbandfec=1".into());

        let mut source = MediaSourceStats::new("media-source-camera", T0_MS, "track-camera", MediaKind::Video);
        source.width = Some(640);
        source.height = Some(480);
        source.frames = Some(31);

        let mut transport = TransportStats::new("transport-0", T0_MS, RtcDtlsTransportState::Connected);
        transport.ice_role = Some(RtcIceRole::Controlling);
        transport.ice_state = Some(RtcIceTransportState::Connected);
        transport.dtls_role = Some(RtcDtlsRole::Client);
        transport.selected_candidate_pair_id = Some("candidate-pair-0".into());
        transport.local_certificate_id = Some("certificate-local".into());
        transport.srtp_cipher = Some("AEAD_AES_128_GCM".into());

        let mut pair = IceCandidatePairStats::new(
            "candidate-pair-0",
            T0_MS,
            "transport-0",
            "local-candidate-0",
            "remote-candidate-0",
            RtcStatsIceCandidatePairState::InProgress,
        );
        pair.nominated = Some(true);
        pair.current_round_trip_time = Some(0.01);

        let mut local = IceCandidateStats::new("local-candidate-0", T0_MS, "transport-0", RtcIceCandidateType::Host);
        local.address = Some("192.0.2.1".into());
        local.port = Some(50_000);
        local.protocol = Some("udp".into());
        local.priority = Some(2_130_706_431);
        let mut remote = IceCandidateStats::new("remote-candidate-0", T0_MS, "transport-0", RtcIceCandidateType::Relay);
        remote.relay_protocol = Some(RtcIceServerTransportProtocol::Tls);

        let certificate = CertificateStats::new("certificate-local", T0_MS, "AB:CD", "sha-256", "MIIB");
        let mut pc = PeerConnectionStats::new("peer-connection", T0_MS);
        pc.data_channels_opened = Some(0);

        [
            RtcStats::OutboundRtp(outbound),
            RtcStats::RemoteInboundRtp(remote_inbound),
            RtcStats::InboundRtp(inbound),
            RtcStats::RemoteOutboundRtp(remote_outbound),
            RtcStats::Codec(RtcCodecStats::from_send_codec(T0_MS, "transport-0", &vp8)),
            RtcStats::Codec(opus),
            RtcStats::MediaSource(source),
            RtcStats::Transport(transport),
            RtcStats::CandidatePair(pair),
            RtcStats::LocalCandidate(local),
            RtcStats::RemoteCandidate(remote),
            RtcStats::Certificate(certificate),
            RtcStats::PeerConnection(pc),
        ]
        .into_iter()
        .collect()
    }

    fn expected_json() -> Value {
        json!({
            "outbound-rtp-4369": {
                "type": "outbound-rtp", "id": "outbound-rtp-4369", "timestamp": 1_700_000_000_000.0_f64,
                "ssrc": 4369, "kind": "video", "transportId": "transport-0", "codecId": "codec-transport-0-96",
                "mid": "1", "mediaSourceId": "media-source-camera", "remoteId": "remote-inbound-rtp-4369",
                "rtxSsrc": 4370, "packetsSent": 100, "bytesSent": 120_000, "headerBytesSent": 1_200,
                "retransmittedPacketsSent": 3, "retransmittedBytesSent": 3_600, "frameWidth": 640,
                "frameHeight": 480, "framesSent": 30, "framesEncoded": 30, "keyFramesEncoded": 1,
                "nackCount": 2, "pliCount": 1, "firCount": 0, "active": true
            },
            "remote-inbound-rtp-4369": {
                "type": "remote-inbound-rtp", "id": "remote-inbound-rtp-4369", "timestamp": 1_700_000_000_000.0_f64,
                "ssrc": 4369, "kind": "video", "transportId": "transport-0", "codecId": "codec-transport-0-96",
                "localId": "outbound-rtp-4369", "packetsLost": 4, "fractionLost": 0.25, "jitter": 0.002,
                "roundTripTime": 0.05, "totalRoundTripTime": 0.15, "roundTripTimeMeasurements": 3
            },
            "inbound-rtp-8738": {
                "type": "inbound-rtp", "id": "inbound-rtp-8738", "timestamp": 1_700_000_000_000.0_f64,
                "ssrc": 8738, "kind": "audio", "transportId": "transport-0", "codecId": "codec-transport-0-111",
                "trackIdentifier": "track-mic", "mid": "0", "remoteId": "remote-outbound-rtp-8738",
                "packetsReceived": 50, "bytesReceived": 8_000, "headerBytesReceived": 600, "packetsLost": 2,
                "packetsDiscarded": 1, "jitter": 0.004, "nackCount": 3, "jitterBufferDelay": 2.5,
                "jitterBufferTargetDelay": 3.125, "jitterBufferEmittedCount": 50, "concealmentEvents": 2,
                "audioLevel": 0.5, "lastPacketReceivedTimestamp": 1_700_000_000_250.0_f64,
                "retransmittedPacketsReceived": 1
            },
            "remote-outbound-rtp-8738": {
                "type": "remote-outbound-rtp", "id": "remote-outbound-rtp-8738", "timestamp": 1_700_000_000_000.0_f64,
                "ssrc": 8738, "kind": "audio", "transportId": "transport-0", "codecId": "codec-transport-0-111",
                "localId": "inbound-rtp-8738", "packetsSent": 52, "bytesSent": 8_320,
                "remoteTimestamp": 1_699_999_998_500.0_f64, "reportsSent": 2
            },
            "codec-transport-0-96": {
                "type": "codec", "id": "codec-transport-0-96", "timestamp": 1_700_000_000_000.0_f64,
                "payloadType": 96, "transportId": "transport-0", "mimeType": "video/VP8", "clockRate": 90_000
            },
            "codec-transport-0-111": {
                "type": "codec", "id": "codec-transport-0-111", "timestamp": 1_700_000_000_000.0_f64,
                "payloadType": 111, "transportId": "transport-0", "mimeType": "audio/opus", "clockRate": 48_000,
                "channels": 2, "sdpFmtpLine": "minptime=10;useinbandfec=1"
            },
            "media-source-camera": {
                "type": "media-source", "id": "media-source-camera", "timestamp": 1_700_000_000_000.0_f64,
                "trackIdentifier": "track-camera", "kind": "video", "width": 640, "height": 480, "frames": 31
            },
            "transport-0": {
                "type": "transport", "id": "transport-0", "timestamp": 1_700_000_000_000.0_f64,
                "iceRole": "controlling", "dtlsState": "connected", "iceState": "connected",
                "selectedCandidatePairId": "candidate-pair-0", "localCertificateId": "certificate-local",
                "dtlsRole": "client", "srtpCipher": "AEAD_AES_128_GCM"
            },
            "candidate-pair-0": {
                "type": "candidate-pair", "id": "candidate-pair-0", "timestamp": 1_700_000_000_000.0_f64,
                "transportId": "transport-0", "localCandidateId": "local-candidate-0",
                "remoteCandidateId": "remote-candidate-0", "state": "in-progress", "nominated": true,
                "currentRoundTripTime": 0.01
            },
            "local-candidate-0": {
                "type": "local-candidate", "id": "local-candidate-0", "timestamp": 1_700_000_000_000.0_f64,
                "transportId": "transport-0", "address": "192.0.2.1", "port": 50_000, "protocol": "udp",
                "candidateType": "host", "priority": 2_130_706_431_u32
            },
            "remote-candidate-0": {
                "type": "remote-candidate", "id": "remote-candidate-0", "timestamp": 1_700_000_000_000.0_f64,
                "transportId": "transport-0", "candidateType": "relay", "relayProtocol": "tls"
            },
            "certificate-local": {
                "type": "certificate", "id": "certificate-local", "timestamp": 1_700_000_000_000.0_f64,
                "fingerprint": "AB:CD", "fingerprintAlgorithm": "sha-256", "base64Certificate": "MIIB"
            },
            "peer-connection": {
                "type": "peer-connection", "id": "peer-connection", "timestamp": 1_700_000_000_000.0_f64,
                "dataChannelsOpened": 0
            }
        })
    }

    #[test]
    fn report_serializes_with_the_w3c_names_types_and_no_empty_members() {
        let report = full_report();
        assert_eq!(report.len(), 13);
        let got = serde_json::to_value(&report).unwrap();
        let want = expected_json();
        // Entry by entry first, for a readable failure.
        for (id, entry) in want.as_object().unwrap() {
            assert_eq!(got.get(id), Some(entry), "entry {id}");
        }
        assert_eq!(got, want);
    }

    #[test]
    fn every_id_link_names_an_entry_of_the_right_type() {
        let report = full_report();
        let json = serde_json::to_value(&report).unwrap();
        let target = |link: &str| report.get(link).map(RtcStats::stats_type);
        let mut links = 0;
        for entry in &report {
            let members = &json[entry.id()];
            assert_eq!(members["id"], entry.id());
            assert_eq!(members["type"], entry.stats_type().as_str());
            for (name, value) in members.as_object().unwrap() {
                if name == "id" || !name.ends_with("Id") {
                    continue;
                }
                let link = value.as_str().unwrap();
                let Some(ty) = target(link) else {
                    panic!("{}.{name} = {link} names no entry", entry.id())
                };
                let want = match (entry.stats_type(), name.as_str()) {
                    (_, "transportId") => RtcStatsType::Transport,
                    (_, "codecId") => RtcStatsType::Codec,
                    (_, "mediaSourceId") => RtcStatsType::MediaSource,
                    (RtcStatsType::OutboundRtp, "remoteId") => RtcStatsType::RemoteInboundRtp,
                    (RtcStatsType::InboundRtp, "remoteId") => RtcStatsType::RemoteOutboundRtp,
                    (RtcStatsType::RemoteInboundRtp, "localId") => RtcStatsType::OutboundRtp,
                    (RtcStatsType::RemoteOutboundRtp, "localId") => RtcStatsType::InboundRtp,
                    (_, "selectedCandidatePairId") => RtcStatsType::CandidatePair,
                    (_, "localCertificateId") => RtcStatsType::Certificate,
                    (_, "localCandidateId") => RtcStatsType::LocalCandidate,
                    (_, "remoteCandidateId") => RtcStatsType::RemoteCandidate,
                    other => panic!("unexpected link {other:?}"),
                };
                assert_eq!(ty, want, "{}.{name}", entry.id());
                links += 1;
            }
        }
        // 4 RTP entries × (transport, codec, local/remote), the media source, 2 codecs' and 3 ICE entries'
        // transports, the transport's pair and certificate, the pair's two candidates.
        assert_eq!(links, 4 * 3 + 1 + 2 + 3 + 2 + 2);
        // The links stay symmetric.
        let outbound = &json["outbound-rtp-4369"];
        assert_eq!(json[outbound["remoteId"].as_str().unwrap()]["localId"], outbound["id"]);
        let inbound = &json["inbound-rtp-8738"];
        assert_eq!(json[inbound["remoteId"].as_str().unwrap()]["localId"], inbound["id"]);
    }

    #[test]
    fn audio_sender_and_video_receiver_leave_out_the_other_kind_members() {
        let reference = (Instant::now(), t0());
        let links = RtpStreamLinks {
            transport_id: "t",
            payload_type: None,
            mid: None,
        };
        let mut sender = video_sender();
        sender.remote = None;
        let audio = OutboundRtpStreamStats::from_sender(T0_MS, &sender, MediaKind::Audio, &links);
        let json = serde_json::to_value(RtcStats::OutboundRtp(audio)).unwrap();
        for absent in [
            "framesSent",
            "pliCount",
            "firCount",
            "remoteId",
            "codecId",
            "mid",
            "rid",
            "active",
        ] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
        assert_eq!(json["nackCount"], 2);
        assert!(RemoteInboundRtpStreamStats::from_sender(T0_MS, &sender, MediaKind::Audio, &links).is_none());

        let mut receiver = audio_receiver(reference);
        receiver.remote = None;
        receiver.last_packet_received = None;
        let video =
            InboundRtpStreamStats::from_receiver(T0_MS, &receiver, MediaKind::Video, "cam", &links, reference).unwrap();
        let json = serde_json::to_value(RtcStats::InboundRtp(video)).unwrap();
        for absent in [
            "audioLevel",
            "concealmentEvents",
            "remoteId",
            "lastPacketReceivedTimestamp",
        ] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
        for (present, value) in [
            ("framesReceived", 50),
            ("framesDecoded", 49),
            ("keyFramesDecoded", 49),
            ("framesDropped", 1),
            ("pliCount", 4),
            ("firCount", 5),
        ] {
            assert_eq!(json[present], value, "{present}");
        }
        assert!(RemoteOutboundRtpStreamStats::from_receiver(T0_MS, &receiver, MediaKind::Video, &links).is_none());
        // No packet yet: no SSRC, no entry.
        receiver.ssrc = None;
        assert!(
            InboundRtpStreamStats::from_receiver(T0_MS, &receiver, MediaKind::Video, "cam", &links, reference)
                .is_none()
        );
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "the conversions are exact for these values")]
    fn timestamps_are_milliseconds_since_the_unix_epoch() {
        assert_eq!(timestamp_from_system_time(t0()), T0_MS);
        assert_eq!(timestamp_from_system_time(UNIX_EPOCH), 0.0);
        assert_eq!(
            timestamp_from_system_time(UNIX_EPOCH - Duration::from_millis(1_500)),
            -1_500.0
        );
        let at = Instant::now() + Duration::from_secs(10);
        let reference = (at, t0());
        assert_eq!(timestamp_from_instant(at, reference), T0_MS);
        assert_eq!(
            timestamp_from_instant(at + Duration::from_micros(2_500), reference),
            T0_MS + 2.5
        );
        assert_eq!(
            timestamp_from_instant(at.checked_sub(Duration::from_secs(3)).unwrap(), reference),
            T0_MS - 3_000.0
        );
        // NTP 1900-based seconds and 2^-32 fractions, as the remote-outbound entry reads them.
        let ntp = NtpTime(((2_208_988_800 + 1_700_000_000) << 32) | (1 << 30));
        assert_eq!(timestamp_from_system_time(ntp.to_system_time()), T0_MS + 250.0);
    }

    #[test]
    #[allow(clippy::float_cmp, reason = "the timestamp is stored, not computed")]
    fn report_keeps_insertion_order_replaces_by_id_and_filters_by_type() {
        let mut report = full_report();
        let ids: Vec<_> = report.iter().map(|e| e.id().to_owned()).collect();
        assert_eq!(
            ids[..4],
            [
                "outbound-rtp-4369",
                "remote-inbound-rtp-4369",
                "inbound-rtp-8738",
                "remote-outbound-rtp-8738"
            ]
        );
        let text = serde_json::to_string(&report).unwrap();
        let positions: Vec<_> = ids.iter().map(|id| text.find(&format!("\"{id}\":")).unwrap()).collect();
        assert!(positions.is_sorted(), "serialized out of order: {text}");

        let codecs: Vec<_> = report.of_type(RtcStatsType::Codec).map(RtcStats::id).collect();
        assert_eq!(codecs, ["codec-transport-0-96", "codec-transport-0-111"]);
        assert_eq!(report.of_type(RtcStatsType::LocalCandidate).count(), 1);
        assert!(report.contains("peer-connection"));
        assert!(report.get("outbound-rtp-1").is_none());

        let mut pc = PeerConnectionStats::new("transport-0", T0_MS + 1.0);
        pc.data_channels_closed = Some(1);
        let old = report.insert(RtcStats::PeerConnection(pc)).unwrap();
        assert_eq!(old.stats_type(), RtcStatsType::Transport);
        assert_eq!(report.len(), 13);
        assert_eq!(
            report.iter().position(|e| e.id() == "transport-0"),
            ids.iter().position(|id| id == "transport-0")
        );
        assert_eq!(report.get("transport-0").unwrap().timestamp(), T0_MS + 1.0);
    }

    #[test]
    fn report_reads_back_what_it_wrote_and_rejects_a_key_that_is_not_the_id() {
        let report = full_report();
        let text = serde_json::to_string(&report).unwrap();
        let back: RtcStatsReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);

        let mismatched = r#"{"a": {"type": "peer-connection", "id": "b", "timestamp": 1.0}}"#;
        assert!(serde_json::from_str::<RtcStatsReport>(mismatched).is_err());
        let unknown_kind =
            r#"{"m": {"type": "media-source", "id": "m", "timestamp": 1.0, "trackIdentifier": "t", "kind": "text"}}"#;
        assert!(serde_json::from_str::<RtcStatsReport>(unknown_kind).is_err());
    }
}
