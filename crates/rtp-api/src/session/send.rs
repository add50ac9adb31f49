//! A send stream: frames into RTP packets, the history that answers NACKs, sender reports.

use std::time::{Duration, Instant};

use ortc_codecs::{MediaKind, Payloader, Payloads, payloader_for};
use ortc_rtcp::ReportBlock;
use ortc_rtp_packet::ext::{Mid, RtpStreamId};
use ortc_rtp_packet::{
    AbsSendTime, AudioLevel, ExtensionKind, ExtensionMap, PayloadType, RtpHeader, RtpPacket, TransportSequenceNumber,
};

use super::SessionError;
use super::config::{SendCodec, SendParams};
use super::history::History;
use super::stats::{RemoteInboundStats, SenderStats};

/// A codec of the stream with its payloader.
pub(crate) struct Codec {
    pub(crate) params: SendCodec,
    payloader: Box<dyn Payloader + Send>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// The per-stream state of a sender.
#[derive(Debug)]
pub(crate) struct SendStream {
    pub(crate) params: SendParams,
    codecs: Vec<Codec>,
    payloads: Payloads,
    header: RtpHeader,
    /// Where transport-cc and abs-send-time sit in a packet written with `header`, found by parsing the
    /// first such packet: (header length, offsets). Cleared whenever the header's extensions change.
    send_time_offsets: Option<(usize, Option<usize>, Option<usize>)>,
    pub(crate) next_seq: u16,
    pub(crate) next_rtx_seq: u16,
    pub(crate) history: History,
    /// The last frame's RTP timestamp and when it was written, for sender reports.
    pub(crate) last_frame: Option<(u32, Instant, u32)>,
    /// Whether the next audio packet starts a talkspurt (marker bit).
    talkspurt: bool,
    /// FIR command sequence numbers seen, per requesting SSRC (a repeated number is the same request).
    fir_seen: Vec<(u32, u8)>,
    pub(crate) stats: SenderStats,
    pub(crate) stopped: bool,
    /// Whether a BYE for this stream is still to be sent.
    pub(crate) bye_pending: bool,
}

impl SendStream {
    pub(crate) fn new(params: SendParams, map: &ExtensionMap) -> Result<Self, SessionError> {
        if params.codecs.is_empty() {
            return Err(SessionError::NoCodec);
        }
        let mut codecs = Vec::with_capacity(params.codecs.len());
        for c in &params.codecs {
            if c.rtx_payload_type.is_some() && params.rtx_ssrc.is_none() {
                return Err(SessionError::RtxWithoutSsrc(c.payload_type));
            }
            let mode = if c.h264_packetization_mode_1 {
                ortc_codecs::h264::PacketizationMode::NonInterleaved
            } else {
                ortc_codecs::h264::PacketizationMode::SingleNal
            };
            let payloader =
                payloader_for(&c.mime_type, mode).ok_or_else(|| SessionError::UnknownCodec(c.mime_type.clone()))?;
            codecs.push(Codec {
                params: c.clone(),
                payloader,
            });
        }
        let mut header = RtpHeader::new(0, 0, 0, params.ssrc.get());
        if let Some(mid) = &params.mid {
            header.set_extension(map, &Mid::from(mid))?;
        }
        if let Some(rid) = &params.rid {
            header.set_extension(map, &RtpStreamId::from(rid))?;
        }
        // Places for the transport-wide number and the send time, written at send time.
        header.set_extension(map, &TransportSequenceNumber(0))?;
        header.set_extension(map, &AbsSendTime(0))?;
        let stats = SenderStats {
            ssrc: params.ssrc,
            rtx_ssrc: params.rtx_ssrc,
            ..SenderStats::default()
        };
        Ok(Self {
            next_seq: params.initial_sequence_number,
            next_rtx_seq: params.rtx_initial_sequence_number,
            history: History::new(params.history_packets, params.history_age),
            codecs,
            payloads: Payloads::new(),
            header,
            send_time_offsets: None,
            last_frame: None,
            talkspurt: true,
            fir_seen: Vec::new(),
            stats,
            stopped: false,
            bye_pending: false,
            params,
        })
    }

    pub(crate) fn codec(&self, payload_type: PayloadType) -> Option<&SendCodec> {
        self.codecs
            .iter()
            .map(|c| &c.params)
            .find(|c| c.payload_type == payload_type)
    }

    /// The clock rate of the codec sent last (or the first one).
    pub(crate) fn clock_rate(&self) -> u32 {
        let pt = PayloadType::from_masked(self.header.payload_type);
        self.codec(pt)
            .map_or(self.codecs[0].params.clock_rate, |c| c.clock_rate)
    }

    /// Packetizes `frame` into the history; calls `queue(seq)` for each packet. Returns the packets made.
    pub(crate) fn write_frame(
        &mut self,
        now: Instant,
        payload_type: PayloadType,
        rtp_time: u32,
        frame: &[u8],
        map: &ExtensionMap,
        mut queue: impl FnMut(u16) -> bool,
    ) -> Result<usize, SessionError> {
        if self.stopped {
            return Err(SessionError::Stopped);
        }
        let max_payload = self.params.max_payload;
        let codec = self
            .codecs
            .iter_mut()
            .find(|c| c.params.payload_type == payload_type)
            .ok_or(SessionError::UnknownPayloadType(payload_type))?;
        codec.payloader.payload(frame, max_payload, &mut self.payloads)?;
        let timestamp = self.params.timestamp_origin.wrapping_add(rtp_time);
        let audio = self.params.kind == MediaKind::Audio;
        let mut made = 0;
        for p in self.payloads.iter() {
            let seq = self.next_seq;
            self.header.payload_type = payload_type.get();
            self.header.sequence_number = seq;
            self.header.timestamp = timestamp.wrapping_add(p.timestamp_offset);
            // Audio: the marker starts a talkspurt (RFC 3551 §4.1); video: the payloader marks a frame's end.
            self.header.marker = if audio { self.talkspurt } else { p.marker };
            self.talkspurt = false;
            let slot = self.history.store(seq);
            let len = self.header.packet_len(p.data.len());
            slot.plain.resize(len, 0);
            let written = self.header.write(p.data, &mut slot.plain)?;
            slot.plain.truncate(written);
            slot.header_len = self.header.header_len();
            // Where the send-time extensions sit, so that `poll_transmit` writes them in place: the same for
            // every packet of this header, found by one parse.
            let offsets = match self.send_time_offsets {
                Some(o) if o.0 == slot.header_len => Some(o),
                _ => RtpPacket::parse(&slot.plain[..]).ok().map(|packet| {
                    let offset = |kind| {
                        let data = packet.extension(map.id_of(kind)?)?;
                        Some(data.as_ptr() as usize - slot.plain.as_ptr() as usize)
                    };
                    (
                        slot.header_len,
                        offset(ExtensionKind::TransportSequenceNumber),
                        offset(ExtensionKind::AbsSendTime),
                    )
                }),
            };
            self.send_time_offsets = offsets;
            (slot.transport_cc_at, slot.abs_send_time_at) = offsets.map_or((None, None), |o| (o.1, o.2));
            self.next_seq = seq.wrapping_add(1);
            made += 1;
            if !queue(seq) {
                self.stats.packets_dropped += 1;
            }
        }
        self.last_frame = Some((timestamp, now, self.clock_rate()));
        self.stats.frames_sent += 1;
        Ok(made)
    }

    /// Sets the audio level (RFC 6464) carried by the packets of the next frames; `None` removes it.
    pub(crate) fn set_audio_level(
        &mut self,
        level: Option<AudioLevel>,
        map: &ExtensionMap,
    ) -> Result<(), SessionError> {
        self.send_time_offsets = None;
        match level {
            Some(level) => self.header.set_extension(map, &level)?,
            None => {
                if let Some(id) = map.id_of(ExtensionKind::AudioLevel) {
                    self.header.extensions.remove(id);
                }
            }
        }
        Ok(())
    }

    /// Says the next audio packet starts a talkspurt (after silence or a pause).
    pub(crate) fn start_talkspurt(&mut self) {
        self.talkspurt = true;
    }

    /// Whether a FIR from `requester` with `seq_nr` is a new request (RFC 5104 §4.3.1.2: a repeated
    /// command sequence number is a retransmission of the same request).
    pub(crate) fn new_fir(&mut self, requester: u32, seq_nr: u8) -> bool {
        match self.fir_seen.iter_mut().find(|(s, _)| *s == requester) {
            Some((_, last)) if *last == seq_nr => false,
            Some((_, last)) => {
                *last = seq_nr;
                true
            }
            None => {
                if self.fir_seen.len() >= 16 {
                    self.fir_seen.remove(0);
                }
                self.fir_seen.push((requester, seq_nr));
                true
            }
        }
    }

    /// Takes a report block about this stream: loss, jitter and the round-trip time from LSR/DLSR.
    pub(crate) fn on_report_block(&mut self, block: &ReportBlock, arrival_middle32: u32) {
        let clock = f64::from(self.clock_rate().max(1));
        let remote = self.stats.remote.get_or_insert_with(RemoteInboundStats::default);
        remote.packets_lost = i64::from(block.cumulative_lost);
        remote.fraction_lost = f64::from(block.fraction_lost) / 256.0;
        remote.jitter = f64::from(block.jitter) / clock;
        remote.reports_received += 1;
        if let Some(rtt) = ortc_rtcp::rtt_from_report(arrival_middle32, block.last_sr, block.delay_since_last_sr) {
            let secs = rtt.as_secs_f64();
            remote.round_trip_time = Some(secs);
            remote.total_round_trip_time += secs;
            remote.round_trip_time_measurements += 1;
        }
    }

    /// The smoothed round-trip time, or a default before any report.
    pub(crate) fn rtt(&self) -> Duration {
        self.stats
            .remote
            .as_ref()
            .and_then(|r| r.round_trip_time)
            .map_or(Duration::from_millis(100), Duration::from_secs_f64)
    }
}
