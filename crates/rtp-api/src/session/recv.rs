//! A receive stream: RTX unwrapping, the jitter buffer, depayloading, report-block bookkeeping, sources.

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::{Boundary, CodecError, Depayloader, FrameBoundary, MediaKind, PayloadPacket, depayloader_for};
use ortc_jitter::{AudioOut, Config, Inserted, JitterBuffer, Packet, PacketInfo};
use ortc_rtcp::{ReportBlock, SenderReport};
use ortc_rtp_packet::{AudioLevel, ExtensionMap, PayloadType, RtpPacket, SequenceUnwrapper, Ssrc, rtx_unwrap_header};

use super::SessionError;
use super::config::ReceiveParams;
use super::stats::{ReceiverStats, RemoteOutboundStats};

/// How long a contributing or synchronization source stays listed after its last packet (W3C webrtc-pc
/// §5.4.4: 10 seconds).
pub const SOURCE_LIFETIME: Duration = Duration::from_secs(10);

/// Most contributing sources remembered per stream (a packet lists at most 15).
const MAX_CSRCS: usize = 32;

/// A synchronization or contributing source seen recently (`RTCRtpSynchronizationSource` /
/// `RTCRtpContributingSource`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RtpSource {
    /// The SSRC or CSRC.
    pub source: Ssrc,
    /// When its last packet arrived.
    pub timestamp: Instant,
    /// The RTP timestamp of that packet.
    pub rtp_timestamp: u32,
    /// Its audio level, 0..1 (linear, from `ssrc-audio-level`), for audio with the extension negotiated.
    pub audio_level: Option<f64>,
}

/// What [`ReceiverMut::poll`](super::ReceiverMut::poll) hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// A complete encoded frame (video) or packet (audio), depayloaded.
    Frame(ReceivedFrame<'a>),
    /// Audio: the packet due now is missing; the decoder should conceal it.
    Conceal {
        /// Its sequence number.
        sequence_number: u16,
    },
}

/// An encoded frame, borrowed from the stream until the next poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedFrame<'a> {
    /// The encoded frame (H.264: Annex B).
    pub data: &'a [u8],
    /// Its RTP timestamp.
    pub rtp_timestamp: u32,
    /// Whether it is decodable on its own.
    pub keyframe: bool,
    /// The payload type it came with.
    pub payload_type: PayloadType,
    /// The media SSRC.
    pub ssrc: Ssrc,
}

/// Depayloads one released frame's `packets`: `Some(true)` when the frame is in the depayloader's buffer
/// ([`Depayloader::last_frame`]), `Some(false)` when it was copied into `copy`, `None` when no frame of
/// `timestamp` came out.
fn depayload(
    depayloader: &mut dyn Depayloader,
    packets: &[Packet],
    timestamp: u32,
    copy: &mut Vec<u8>,
) -> Option<bool> {
    copy.clear();
    let mut ok = false;
    // The frame completed by the last packet (the usual case) is handed out from the depayloader's buffer;
    // frames completed earlier in the run are copied together.
    let mut in_depayloader = false;
    let last = packets.len().saturating_sub(1);
    for (i, p) in packets.iter().enumerate() {
        let out = depayloader.push(PayloadPacket {
            sequence_number: p.sequence_number,
            timestamp: p.timestamp,
            marker: p.marker,
            payload: &p.payload,
        });
        if let Ok(out) = out
            && let Some(f) = out.frame
            && f.timestamp == timestamp
        {
            if i == last && !ok {
                in_depayloader = true;
            } else {
                copy.extend_from_slice(f.data);
            }
            ok = true;
        }
    }
    let finished = depayloader.finish();
    if let Some(f) = finished.frame
        && !ok
        && f.timestamp == timestamp
    {
        copy.extend_from_slice(f.data);
        ok = true;
    }
    // A depayloader that keeps no frame buffer cannot hand the frame out uncopied: dropped (none of this
    // crate's codecs).
    (ok && (!in_depayloader || depayloader.last_frame().is_some())).then_some(in_depayloader)
}

/// The codec's frame-boundary reader for the jitter buffer.
struct Boundaries(Box<dyn Depayloader + Send>);

impl FrameBoundary for Boundaries {
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError> {
        self.0.boundary(payload, marker)
    }
}

impl std::fmt::Debug for Boundaries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Boundaries")
    }
}

/// Report-block bookkeeping for the media SSRC (RFC 3550 A.3).
#[derive(Debug, Default)]
struct Reception {
    unwrap: SequenceUnwrapper,
    base: Option<i64>,
    max: i64,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
}

impl Reception {
    fn on_packet(&mut self, seq: u16) {
        let ext = self.unwrap.unwrap(seq);
        if self.base.is_none() {
            self.base = Some(ext);
            self.max = ext;
        }
        self.max = self.max.max(ext);
        self.received += 1;
    }

    fn expected(&self) -> u64 {
        self.base.map_or(0, |b| u64::try_from(self.max - b + 1).unwrap_or(0))
    }
}

/// The per-stream state of a receiver.
pub(crate) struct RecvStream {
    pub(crate) params: ReceiveParams,
    jitter: JitterBuffer<Boundaries>,
    depayloaders: Vec<(PayloadType, Box<dyn Depayloader + Send>)>,
    pub(crate) ssrc: Option<Ssrc>,
    pub(crate) rtx_ssrc: Option<Ssrc>,
    /// The payload type of the latest media packet: its depayloader runs.
    current_pt: PayloadType,
    frame: Vec<u8>,
    reception: Reception,
    /// The last sender report: its NTP middle 32 bits and when it arrived.
    last_sr: Option<(u32, Instant)>,
    ssrc_source: Option<RtpSource>,
    csrcs: Vec<RtpSource>,
    pub(crate) stats: ReceiverStats,
    /// Set when packets were stored; cleared when a poll finds nothing.
    pub(crate) readable: bool,
    /// A keyframe request the jitter buffer made while frames were polled, due since then.
    keyframe_wanted: Option<Instant>,
    pub(crate) stopped: bool,
    /// The command sequence number of our next FIR (RFC 5104 §4.3.1.1: one more per new request).
    pub(crate) fir_seq: u8,
}

impl std::fmt::Debug for RecvStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvStream")
            .field("params", &self.params)
            .field("ssrc", &self.ssrc)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl RecvStream {
    pub(crate) fn new(params: ReceiveParams) -> Result<Self, SessionError> {
        let first = params.codecs.first().ok_or(SessionError::NoCodec)?;
        let boundary =
            depayloader_for(&first.mime_type).ok_or_else(|| SessionError::UnknownCodec(first.mime_type.clone()))?;
        let mut depayloaders = Vec::with_capacity(params.codecs.len());
        for c in &params.codecs {
            let d = depayloader_for(&c.mime_type).ok_or_else(|| SessionError::UnknownCodec(c.mime_type.clone()))?;
            depayloaders.push((c.payload_type, d));
        }
        let mut config = match params.kind {
            MediaKind::Audio => Config::audio(first.clock_rate),
            MediaKind::Video => {
                let mut c = Config::video();
                c.clock_rate = first.clock_rate;
                c
            }
        };
        config.nack = params.nack;
        let jitter = JitterBuffer::new(config, Boundaries(boundary));
        let stats = ReceiverStats {
            ssrc: params.ssrc,
            ..ReceiverStats::default()
        };
        Ok(Self {
            ssrc: params.ssrc,
            rtx_ssrc: params.rtx_ssrc,
            current_pt: first.payload_type,
            jitter,
            depayloaders,
            frame: Vec::new(),
            reception: Reception::default(),
            last_sr: None,
            ssrc_source: None,
            csrcs: Vec::new(),
            stats,
            readable: false,
            keyframe_wanted: None,
            stopped: false,
            fir_seq: 0,
            params,
        })
    }

    /// Whether `pt` is one of this stream's RTX payload types.
    pub(crate) fn is_rtx_pt(&self, pt: PayloadType) -> bool {
        self.params.codecs.iter().any(|c| c.rtx_payload_type == Some(pt))
    }

    /// Whether `pt` is a media payload type of this stream.
    pub(crate) fn is_media_pt(&self, pt: PayloadType) -> bool {
        self.params.codecs.iter().any(|c| c.payload_type == pt)
    }

    /// Takes one authenticated packet routed here; `rtx` says it came on the RTX SSRC or payload type.
    pub(crate) fn on_rtp(&mut self, now: Instant, packet: &RtpPacket<Bytes>, rtx: bool, map: &ExtensionMap) {
        self.stats.packets_routed += 1;
        self.stats.last_packet_received = Some(now);
        let (info, payload, pt) = if rtx {
            self.stats.retransmitted_packets_received += 1;
            let Some(apt) = self
                .params
                .codecs
                .iter()
                .find(|c| c.rtx_payload_type == Some(PayloadType::from_masked(packet.payload_type())))
                .map(|c| c.payload_type)
            else {
                self.stats.packets_malformed += 1;
                return;
            };
            let Some(ssrc) = self.ssrc else {
                // A retransmission before any media packet: nothing to repair yet.
                self.stats.packets_discarded += 1;
                return;
            };
            if packet.payload().is_empty() {
                // Padding on the RTX stream (a bandwidth probe): nothing to deliver.
                return;
            }
            let Ok((header, payload)) = rtx_unwrap_header(packet, apt.get(), ssrc.get()) else {
                self.stats.packets_malformed += 1;
                return;
            };
            let start = payload.as_ptr() as usize - packet.as_bytes().as_ptr() as usize;
            let payload = packet.buffer().slice(start..start + payload.len());
            let info = PacketInfo {
                ssrc: ssrc.get(),
                sequence_number: header.sequence_number,
                timestamp: header.timestamp,
                marker: header.marker,
            };
            (info, payload, apt)
        } else {
            if !self.is_media_pt(PayloadType::from_masked(packet.payload_type())) {
                self.stats.packets_malformed += 1;
                return;
            }
            self.reception.on_packet(packet.sequence_number());
            self.note_sources(now, packet, map);
            let start = packet.header_len();
            let payload = packet.buffer().slice(start..start + packet.payload().len());
            let info = PacketInfo {
                ssrc: packet.ssrc(),
                sequence_number: packet.sequence_number(),
                timestamp: packet.timestamp(),
                marker: packet.marker(),
            };
            (info, payload, PayloadType::from_masked(packet.payload_type()))
        };
        let payload_len = payload.len() as u64;
        match self.jitter.insert_parts(now, info, payload) {
            Inserted::Stored | Inserted::Restarted => {
                if payload_len > 0 {
                    self.current_pt = pt;
                }
                self.stats.packets_received += 1;
                self.stats.bytes_received += payload_len;
                self.stats.header_bytes_received += (packet.as_bytes().len() as u64).saturating_sub(payload_len);
                self.readable = true;
            }
            Inserted::Probation => {
                // Held aside until the next packet confirms a new numbering (or it is discarded, and counted so).
                self.stats.packets_received += 1;
                self.stats.bytes_received += payload_len;
                self.stats.header_bytes_received += (packet.as_bytes().len() as u64).saturating_sub(payload_len);
            }
            Inserted::Duplicate => self.stats.packets_duplicated += 1,
            Inserted::TooOld => self.stats.packets_discarded += 1,
            Inserted::Malformed(_) => self.stats.packets_malformed += 1,
        }
    }

    fn note_sources(&mut self, now: Instant, packet: &RtpPacket<Bytes>, map: &ExtensionMap) {
        let audio_level = if self.params.kind == MediaKind::Audio {
            packet.get::<AudioLevel>(map).map(AudioLevel::linear)
        } else {
            None
        };
        if audio_level.is_some() {
            self.stats.audio_level = audio_level;
        }
        self.ssrc_source = Some(RtpSource {
            source: Ssrc::new(packet.ssrc()),
            timestamp: now,
            rtp_timestamp: packet.timestamp(),
            audio_level,
        });
        for csrc in packet.csrcs() {
            let entry = RtpSource {
                source: Ssrc::new(csrc),
                timestamp: now,
                rtp_timestamp: packet.timestamp(),
                audio_level: None,
            };
            if let Some(s) = self.csrcs.iter_mut().find(|s| s.source.get() == csrc) {
                *s = entry;
            } else if self.csrcs.len() < MAX_CSRCS {
                self.csrcs.push(entry);
            } else if let Some(oldest) = self.csrcs.iter_mut().min_by_key(|s| s.timestamp) {
                // Replace the least recently heard.
                *oldest = entry;
            }
        }
    }

    /// The synchronization source heard within the last 10 s.
    pub(crate) fn synchronization_source(&self, now: Instant) -> Option<RtpSource> {
        self.ssrc_source
            .filter(|s| now.saturating_duration_since(s.timestamp) <= SOURCE_LIFETIME)
    }

    /// The contributing sources heard within the last 10 s, most recent first.
    pub(crate) fn contributing_sources(&self, now: Instant) -> impl Iterator<Item = RtpSource> + '_ {
        self.csrcs
            .iter()
            .copied()
            .filter(move |s| now.saturating_duration_since(s.timestamp) <= SOURCE_LIFETIME)
    }

    /// The next frame (video) or packet (audio) due at `now`.
    pub(crate) fn poll(&mut self, now: Instant) -> Option<Received<'_>> {
        let ssrc = self.ssrc.unwrap_or_default();
        let pt = self.current_pt;
        let depayloader = self.depayloaders.iter_mut().find(|(p, _)| *p == pt).map(|(_, d)| d)?;
        match self.params.kind {
            MediaKind::Video => {
                let (timestamp, keyframe, in_depayloader) = loop {
                    let Some(frame) = self.jitter.poll_frame(now) else {
                        self.readable = false;
                        if (self.params.pli || self.params.fir) && self.jitter.poll_keyframe_request().is_some() {
                            self.keyframe_wanted.get_or_insert(now);
                        }
                        return None;
                    };
                    let (timestamp, keyframe) = (frame.timestamp, frame.keyframe);
                    if let Some(in_depayloader) =
                        depayload(depayloader.as_mut(), frame.packets, timestamp, &mut self.frame)
                    {
                        break (timestamp, keyframe, in_depayloader);
                    }
                    self.stats.frames_dropped += 1;
                };
                self.stats.frames_emitted += 1;
                self.stats.key_frames_emitted += u64::from(keyframe);
                let data = match depayloader.last_frame() {
                    Some(data) if in_depayloader => data,
                    _ => &self.frame[..],
                };
                Some(Received::Frame(ReceivedFrame {
                    data,
                    rtp_timestamp: timestamp,
                    keyframe,
                    payload_type: pt,
                    ssrc,
                }))
            }
            MediaKind::Audio => loop {
                match self.jitter.poll_audio(now) {
                    None => {
                        self.readable = false;
                        return None;
                    }
                    Some(AudioOut::Conceal { sequence_number, .. }) => {
                        return Some(Received::Conceal { sequence_number });
                    }
                    Some(AudioOut::Packet(p)) => {
                        if p.payload.is_empty() {
                            continue;
                        }
                        self.frame.clear();
                        let out = depayloader.push(PayloadPacket {
                            sequence_number: p.sequence_number,
                            timestamp: p.timestamp,
                            marker: p.marker,
                            payload: &p.payload,
                        });
                        let Ok(out) = out else {
                            self.stats.packets_malformed += 1;
                            continue;
                        };
                        let Some(f) = out.frame else { continue };
                        self.frame.extend_from_slice(f.data);
                        self.stats.frames_emitted += 1;
                        return Some(Received::Frame(ReceivedFrame {
                            data: &self.frame,
                            rtp_timestamp: p.timestamp,
                            keyframe: true,
                            payload_type: pt,
                            ssrc,
                        }));
                    }
                }
            },
        }
    }

    /// The sequence numbers to NACK now, if NACK is negotiated.
    pub(crate) fn poll_nack(&mut self, now: Instant) -> &[u16] {
        // Without NACK the jitter buffer lists nothing, but still gives missing packets up at their deadline.
        self.jitter.poll_nack(now)
    }

    /// Whether a keyframe should be requested now (PLI negotiated).
    pub(crate) fn poll_keyframe_request(&mut self) -> bool {
        let asked = self.jitter.poll_keyframe_request().is_some();
        self.keyframe_wanted.take().is_some() || (asked && (self.params.pli || self.params.fir))
    }

    /// When the stream wants to be called: a keyframe request to send, or the jitter buffer's next deadline.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let jitter = self.jitter.poll_timeout().map(|(t, _)| t);
        match (self.keyframe_wanted, jitter) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Sets the round-trip time that spaces NACK retries.
    pub(crate) fn set_rtt(&mut self, rtt: Duration) {
        self.jitter.set_rtt(rtt);
    }

    /// Takes a sender report from the stream's SSRC.
    pub(crate) fn on_sender_report(&mut self, now: Instant, sr: &SenderReport<'_>) {
        let info = sr.sender_info();
        self.last_sr = Some((info.ntp_time.middle32(), now));
        let remote = self.stats.remote.get_or_insert_with(RemoteOutboundStats::default);
        remote.packets_sent = u64::from(info.packet_count);
        remote.bytes_sent = u64::from(info.octet_count);
        remote.remote_timestamp = info.ntp_time;
        remote.reports_sent += 1;
    }

    /// Records a round trip measured through XR (receiver reference time and DLRR).
    pub(crate) fn on_round_trip(&mut self, rtt: Duration) {
        let remote = self.stats.remote.get_or_insert_with(RemoteOutboundStats::default);
        let secs = rtt.as_secs_f64();
        remote.round_trip_time = Some(secs);
        remote.total_round_trip_time += secs;
        remote.round_trip_time_measurements += 1;
    }

    /// The report block about this stream at `now` (RFC 3550 §6.4.1, A.3); `None` before any packet.
    pub(crate) fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        let ssrc = self.ssrc?;
        let r = &mut self.reception;
        let max = r.max;
        r.base?;
        let expected = r.expected();
        let expected_interval = expected.saturating_sub(r.expected_prior);
        let received_interval = r.received.saturating_sub(r.received_prior);
        r.expected_prior = expected;
        r.received_prior = r.received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        let fraction_lost = (lost_interval << 8)
            .checked_div(expected_interval)
            .map_or(0, |f| f.min(255) as u8);
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (
                lsr,
                ortc_rtcp::ntp::duration_to_middle32(now.saturating_duration_since(at)),
            ),
            None => (0, 0),
        };
        let jitter = self.jitter.stats().jitter;
        Some(ReportBlock {
            ssrc: ssrc.get(),
            fraction_lost,
            cumulative_lost: ortc_rtcp::cumulative_lost(expected, r.received),
            extended_highest_sequence: max.cast_unsigned() as u32,
            jitter,
            last_sr,
            delay_since_last_sr,
        })
    }

    /// The counters, with the jitter buffer's merged in.
    pub(crate) fn stats(&self) -> ReceiverStats {
        let j = self.jitter.stats();
        let mut s = self.stats.clone();
        s.ssrc = self.ssrc;
        s.packets_lost = j.packets_lost;
        s.packets_discarded += j.packets_discarded;
        s.packets_recovered = j.packets_recovered;
        s.jitter = j.jitter_seconds;
        s.frames_received = j.frames_received;
        s.frames_dropped += j.frames_dropped;
        s.concealment_events = j.concealment_events;
        s.nack_count = j.nack_count;
        s.jitter_buffer_delay = j.jitter_buffer_delay;
        s.jitter_buffer_emitted_count = j.jitter_buffer_emitted_count;
        s.jitter_buffer_target_delay = j.target_delay.as_secs_f64();
        s
    }
}
