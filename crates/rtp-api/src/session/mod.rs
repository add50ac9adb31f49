//! The sans-IO RTP session core: one [`RtpSession`] per transport (one per BUNDLE group).
//!
//! It owns the SRTP session once keys exist and every send and receive stream. Nothing here reads a clock
//! or touches a socket: bytes and `Instant`s go in, bytes, events and the next timeout come out.
//!
//! - Send: [`SenderMut::write_frame`] packetizes an encoded frame into the stream's history and queues the
//!   packets; [`RtpSession::poll_transmit`] writes the next datagram, protected, into the caller's buffer
//!   (RTCP first, then retransmissions, then media), numbering the transport-wide sequence at send time.
//! - Receive: [`RtpSession::handle_rtp`] unprotects, demultiplexes (mid, then rid / repaired-rid, then the
//!   SSRC table, then the payload type; an SSRC is bound to a stream only once its packet authenticated),
//!   unwraps RTX and stores the packet in the stream's jitter buffer; [`ReceiverMut::poll`] hands out frames.
//! - Feedback: NACKs are answered from the history (over RTX when negotiated, otherwise with the identical
//!   protected bytes); PLI and new FIRs become [`Event::KeyframeRequested`]; the jitter buffers' NACK lists
//!   and keyframe requests are sent as RTCP from [`RtpSession::handle_timeout`]; sender and receiver reports
//!   (with SDES CNAME) go out at the randomised RFC 3550 interval computed from the session bandwidth (at most
//!   once per [`SessionConfig::rtcp_report_interval`]), BYE on stop; NACK, PLI and FIR follow RFC 4585's
//!   early-feedback rules (see [`RTCP_MIN_INTERVAL`] and the counters `feedback_early` / `feedback_with_report`).
//!
//! Any interleaving of calls and polls is valid.

mod config;
mod history;
mod recv;
mod send;
mod stats;
mod timing;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ortc_rtcp::{
    ByeBuilder, Compound, CompoundWriter, NackBuilder, NackItem, NtpTime, PliBuilder, ReceiverReportBuilder,
    ReportBlock, RtcpPacket, SdesCname, SenderInfo, SenderReportBuilder, WriteRtcp,
};
use ortc_rtp_packet::{ExtensionValues, PayloadType, RtpPacket, RtxExtensions, Ssrc, rtx_wrap};
use ortc_srtp::{SessionKeys, SrtpConfig, SrtpError, SrtpSession};
pub use timing::MIN_INTERVAL as RTCP_MIN_INTERVAL;
use timing::{Members, RtcpTiming};

pub use config::{ReceiveCodec, ReceiveParams, SendCodec, SendParams, SessionConfig};
use history::Resend;
use recv::RecvStream;
pub use recv::{Received, ReceivedFrame, RtpSource, SOURCE_LIFETIME};
use send::SendStream;
pub use stats::{ReceiverStats, RemoteInboundStats, RemoteOutboundStats, SenderStats, SessionStats};

/// Largest RTCP compound the session writes.
const RTCP_MTU: usize = 1200;
/// RTCP compounds waiting to be sent at most; beyond it new ones are dropped and counted.
const RTCP_QUEUE: usize = 32;
/// Report blocks in one SR/RR (the 5-bit count).
const MAX_REPORT_BLOCKS: usize = 31;
/// Events kept at most; the oldest is dropped beyond it.
const MAX_EVENTS: usize = 256;
/// Bytes of feedback held for the next report at most: one NACK of 200 items fits.
const MAX_HELD_FEEDBACK: usize = 1024;

/// Why a session call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A stream was given no codec.
    #[error("a stream needs at least one codec")]
    NoCodec,
    /// No payloader or depayloader exists for the MIME type.
    #[error("no RTP packetization for codec {0}")]
    UnknownCodec(String),
    /// A frame names a payload type the stream was not given.
    #[error("payload type {0} is not one of the stream's codecs")]
    UnknownPayloadType(PayloadType),
    /// A codec has an RTX payload type but the stream has no RTX SSRC.
    #[error("codec {0} has an RTX payload type but the stream has no RTX SSRC")]
    RtxWithoutSsrc(PayloadType),
    /// Two streams claim the same SSRC.
    #[error("SSRC {0} is already used by another stream")]
    DuplicateSsrc(Ssrc),
    /// The stream was stopped.
    #[error("the stream is stopped")]
    Stopped,
    /// No stream has this id.
    #[error("no such stream")]
    UnknownStream,
    /// The packetizer rejected the frame.
    #[error("packetizing failed: {0}")]
    Codec(#[from] ortc_codecs::CodecError),
    /// Writing the RTP header failed.
    #[error("RTP header: {0}")]
    Rtp(#[from] ortc_rtp_packet::RtpError),
    /// A header extension could not be written.
    #[error("RTP header extension: {0}")]
    Extension(#[from] ortc_rtp_packet::ExtensionError),
    /// SRTP could not be set up.
    #[error("SRTP: {0}")]
    Srtp(#[from] SrtpError),
}

/// A send stream of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SenderId(usize);

/// A receive stream of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiverId(usize);

/// How the peer asked for a keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyframeRequest {
    /// Picture loss indication (RFC 4585 §6.3.1).
    Pli,
    /// Full intra request (RFC 5104 §4.3.1), a new command sequence number.
    Fir,
}

/// Something the driver of a session should act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The peer asked one of our streams for a keyframe: tell its encoder.
    KeyframeRequested {
        /// The stream.
        sender: SenderId,
        /// PLI or FIR.
        request: KeyframeRequest,
    },
    /// The peer's REMB names one of our streams.
    RemoteBitrate {
        /// The stream.
        sender: SenderId,
        /// Bits per second.
        bitrate: u64,
    },
    /// A receive stream has frames or packets to poll.
    Readable(ReceiverId),
    /// A receive stream learned its SSRC from an authenticated packet.
    SsrcBound {
        /// The stream.
        receiver: ReceiverId,
        /// The SSRC.
        ssrc: Ssrc,
        /// Whether it is the RTX SSRC.
        rtx: bool,
    },
    /// The peer said BYE for the SSRC of a receive stream.
    Bye(ReceiverId),
}

/// What a [`RtpSession::poll_transmit`] datagram is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transmit {
    /// An SRTP packet of `len` bytes.
    Rtp {
        /// Its length.
        len: usize,
    },
    /// An SRTCP compound of `len` bytes.
    Rtcp {
        /// Its length.
        len: usize,
    },
}

/// Why [`RtpSession::poll_timeout`] wants to be woken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReason {
    /// The next sender/receiver report is due.
    Report,
    /// A receive stream's jitter buffer has something due (a NACK, a playout, a give-up).
    Receiver(ReceiverId),
    /// Transport-wide congestion control feedback is due.
    TransportFeedback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Queued {
    sender: usize,
    seq: u16,
}

/// Where an SSRC goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Route {
    ssrc: Ssrc,
    receiver: usize,
    rtx: bool,
}

/// Arrivals waiting to be reported in transport-wide feedback.
#[derive(Debug, Default)]
struct Twcc {
    unwrap: ortc_rtp_packet::SequenceUnwrapper,
    /// (unwrapped transport-wide sequence number, arrival in µs from the session's clock reference).
    arrivals: Vec<(i64, i64)>,
    /// The first sequence number the next feedback may describe.
    next: Option<i64>,
    encoder: Option<ortc_rtcp::TwccEncoder>,
    feedback_count: u8,
    due: Option<Instant>,
    media_ssrc: u32,
}

/// Arrivals held at most before feedback goes out early.
const MAX_TWCC_ARRIVALS: usize = 1024;

impl Twcc {
    /// Records an arrival; `false` if it could not be kept (feedback is due at once then).
    fn on_packet(&mut self, now: Instant, seq: u16, arrival: i64, ssrc: u32, interval: Duration) -> bool {
        if self.arrivals.is_empty() && self.next.is_none() {
            self.media_ssrc = ssrc;
            self.arrivals.reserve(MAX_TWCC_ARRIVALS);
        }
        let seq = self.unwrap.unwrap(seq);
        let kept = self.arrivals.len() < MAX_TWCC_ARRIVALS;
        if kept {
            self.arrivals.push((seq, arrival));
        }
        let due = if self.arrivals.len() >= MAX_TWCC_ARRIVALS {
            now
        } else {
            now + interval
        };
        self.due = Some(self.due.map_or(due, |d| d.min(due)));
        kept
    }
}

/// RTCP packets already written (held feedback), pushed into a compound as they are.
struct Held<'a>(&'a [u8]);

impl WriteRtcp for Held<'_> {
    fn encoded_len(&self) -> usize {
        self.0.len()
    }

    fn write(&self, out: &mut [u8]) -> Result<usize, ortc_rtcp::RtcpError> {
        let len = self.0.len();
        let Some(dst) = out.get_mut(..len) else {
            return Err(ortc_rtcp::RtcpError::BufferTooSmall {
                needed: len,
                got: out.len(),
            });
        };
        dst.copy_from_slice(self.0);
        Ok(len)
    }
}

/// RTCP compounds waiting to be sent, in reusable buffers.
#[derive(Debug, Default)]
struct RtcpQueue {
    queue: VecDeque<Vec<u8>>,
    free: Vec<Vec<u8>>,
}

impl RtcpQueue {
    /// Writes the compound of `packets` into a free buffer and queues it; `false` if dropped (queue full, or
    /// the packets do not fit one datagram).
    fn push(&mut self, packets: &[&dyn WriteRtcp]) -> Option<usize> {
        if self.queue.len() >= RTCP_QUEUE {
            return None;
        }
        let mut buf = self.free.pop().unwrap_or_default();
        buf.resize(RTCP_MTU, 0);
        let mut w = CompoundWriter::new(&mut buf);
        let ok = packets.iter().all(|p| w.push(*p).is_ok());
        let len = w.len();
        if !ok || len == 0 {
            self.free.push(buf);
            return None;
        }
        buf.truncate(len);
        self.queue.push_back(buf);
        Some(len)
    }

    /// Appends the oldest queued compound to `out`; `false` when none is queued.
    fn pop_into(&mut self, out: &mut BytesMut) -> bool {
        let Some(buf) = self.queue.pop_front() else {
            return false;
        };
        out.extend_from_slice(&buf);
        self.free.push(buf);
        true
    }
}

/// The RTP session core. See the [module docs](self).
#[derive(Debug)]
pub struct RtpSession {
    config: SessionConfig,
    srtp: Option<SrtpSession>,
    senders: Vec<SendStream>,
    receivers: Vec<RecvStream>,
    routes: Vec<Route>,
    media: VecDeque<Queued>,
    resend: VecDeque<Queued>,
    rtcp: RtcpQueue,
    twcc: Twcc,
    /// Our last XR receiver reference time (middle 32 bits) and when it went out, for DLRR round trips.
    last_rrt: Option<(u32, Instant)>,
    /// The peers' last RRT blocks: their SSRC, its middle 32 bits and when it arrived (answered with DLRR).
    peer_rrts: Vec<(u32, u32, Instant)>,
    events: VecDeque<Event>,
    timing: RtcpTiming,
    /// Feedback (NACK, PLI, FIR) waiting for its early slot or the next regular report (RFC 4585 §3.5.2).
    held_feedback: Vec<u8>,
    transport_seq: u16,
    stats: SessionStats,
    nack_items: Vec<NackItem>,
    blocks: Vec<ReportBlock>,
}

impl RtpSession {
    /// A session with no streams and no keys yet.
    pub fn new(config: SessionConfig) -> Self {
        Self {
            media: VecDeque::with_capacity(config.max_queued_packets),
            resend: VecDeque::with_capacity(256),
            rtcp: RtcpQueue::default(),
            twcc: Twcc::default(),
            last_rrt: None,
            peer_rrts: Vec::new(),
            events: VecDeque::with_capacity(MAX_EVENTS),
            srtp: None,
            senders: Vec::new(),
            receivers: Vec::new(),
            routes: Vec::new(),
            timing: RtcpTiming::new(config.seed, config.session_bandwidth, config.rtcp_report_interval),
            held_feedback: Vec::with_capacity(MAX_HELD_FEEDBACK),
            transport_seq: 0,
            stats: SessionStats::default(),
            nack_items: Vec::with_capacity(64),
            blocks: Vec::with_capacity(MAX_REPORT_BLOCKS),
            config,
        }
    }

    /// Keys the session (from the DTLS-SRTP exporter): from now on packets are protected and unprotected.
    pub fn set_keys(&mut self, keys: &SessionKeys, config: &SrtpConfig) -> Result<(), SessionError> {
        self.srtp = Some(SrtpSession::new(keys, config)?);
        Ok(())
    }

    /// Whether keys are set.
    pub fn has_keys(&self) -> bool {
        self.srtp.is_some()
    }

    /// Adds a send stream.
    pub fn add_sender(&mut self, params: SendParams) -> Result<SenderId, SessionError> {
        for s in [Some(params.ssrc), params.rtx_ssrc].into_iter().flatten() {
            if self.ssrc_in_use(s) {
                return Err(SessionError::DuplicateSsrc(s));
            }
        }
        let stream = SendStream::new(params, &self.config.extensions)?;
        self.senders.push(stream);
        Ok(SenderId(self.senders.len() - 1))
    }

    /// Adds a receive stream. Signalled SSRCs are bound at once.
    pub fn add_receiver(&mut self, params: ReceiveParams) -> Result<ReceiverId, SessionError> {
        for s in [params.ssrc, params.rtx_ssrc].into_iter().flatten() {
            if self.routes.iter().any(|r| r.ssrc == s) {
                return Err(SessionError::DuplicateSsrc(s));
            }
        }
        let stream = RecvStream::new(params)?;
        let index = self.receivers.len();
        if let Some(ssrc) = stream.ssrc {
            self.routes.push(Route {
                ssrc,
                receiver: index,
                rtx: false,
            });
        }
        if let Some(ssrc) = stream.rtx_ssrc {
            self.routes.push(Route {
                ssrc,
                receiver: index,
                rtx: true,
            });
        }
        self.receivers.push(stream);
        Ok(ReceiverId(index))
    }

    fn ssrc_in_use(&self, ssrc: Ssrc) -> bool {
        self.senders
            .iter()
            .any(|s| s.params.ssrc == ssrc || s.params.rtx_ssrc == Some(ssrc))
    }

    /// A send stream, to write frames into.
    pub fn sender(&mut self, id: SenderId) -> Option<SenderMut<'_>> {
        (id.0 < self.senders.len()).then_some(SenderMut {
            session: self,
            index: id.0,
        })
    }

    /// A receive stream, to poll frames from.
    pub fn receiver(&mut self, id: ReceiverId) -> Option<ReceiverMut<'_>> {
        (id.0 < self.receivers.len()).then_some(ReceiverMut {
            session: self,
            index: id.0,
        })
    }

    /// The session's own counters.
    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    /// The SRTP counters, once keyed.
    pub fn srtp_stats(&self) -> Option<ortc_srtp::SrtpStats> {
        self.srtp.as_ref().map(SrtpSession::stats)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn push_event(&mut self, event: Event) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// Microseconds from the session's clock reference to `now` (negative before it).
    fn micros(&self, now: Instant) -> i64 {
        let at = self.config.clock.0;
        if now >= at {
            i64::try_from((now - at).as_micros()).unwrap_or(i64::MAX)
        } else {
            -i64::try_from((at - now).as_micros()).unwrap_or(i64::MAX)
        }
    }

    fn ntp(&self, now: Instant) -> NtpTime {
        let (at, ntp) = self.config.clock;
        if now >= at {
            NtpTime(ntp.0.wrapping_add(duration_to_ntp(now - at)))
        } else {
            NtpTime(ntp.0.wrapping_sub(duration_to_ntp(at - now)))
        }
    }

    /// Takes one SRTP datagram. Its bytes are taken from `packet` (the jitter buffer keeps payloads without
    /// copying them), which is left empty.
    pub fn handle_rtp(&mut self, now: Instant, packet: &mut BytesMut) {
        self.stats.rtp_received += 1;
        let Some(srtp) = self.srtp.as_mut() else {
            self.stats.no_keys += 1;
            packet.clear();
            return;
        };
        if srtp.inbound().unprotect_rtp(packet).is_err() {
            self.stats.srtp_rejected += 1;
            packet.clear();
            return;
        }
        let bytes = packet.split().freeze();
        let Ok(rtp) = RtpPacket::parse(bytes) else {
            self.stats.rtp_malformed += 1;
            return;
        };
        self.schedule_report(now);
        self.timing.on_rtp(rtp.as_bytes().len());
        let ext = ExtensionValues::decode(&rtp, &self.config.extensions);
        if self.config.transport_cc_feedback
            && let Some(seq) = ext.transport_seq
        {
            let arrival = self.micros(now);
            if !self
                .twcc
                .on_packet(now, seq.0, arrival, rtp.ssrc(), self.config.transport_cc_interval)
            {
                self.stats.transport_feedback_late += 1;
            }
        }
        let Some((index, rtx)) = self.route(&rtp, &ext) else {
            self.stats.rtp_unrouted += 1;
            return;
        };
        let stream = &mut self.receivers[index];
        if stream.stopped {
            return;
        }
        let was_readable = stream.readable;
        stream.on_rtp(now, &rtp, rtx, &self.config.extensions);
        if stream.readable && !was_readable {
            self.push_event(Event::Readable(ReceiverId(index)));
        }
    }

    /// Finds the receive stream of an authenticated packet; binds its SSRC on first sight.
    fn route(&mut self, rtp: &RtpPacket<bytes::Bytes>, ext: &ExtensionValues<'_>) -> Option<(usize, bool)> {
        let ssrc = Ssrc::new(rtp.ssrc());
        let pt = PayloadType::from_masked(rtp.payload_type());
        if let Some(mid) = ext.mid {
            let rid = ext.rid.map(|r| r.0).or(ext.repaired_rid.map(|r| r.0));
            let found = self.receivers.iter().position(|r| {
                r.params.mid.as_deref() == Some(mid.0)
                    && (rid.is_none() || r.params.rid.is_none() || r.params.rid.as_deref() == rid)
            })?;
            let stream = &self.receivers[found];
            let rtx = ext.repaired_rid.is_some() || stream.rtx_ssrc == Some(ssrc) || stream.is_rtx_pt(pt);
            self.bind(found, ssrc, rtx);
            return Some((found, rtx));
        }
        if let Some(route) = self.routes.iter().find(|r| r.ssrc == ssrc) {
            return Some((route.receiver, route.rtx));
        }
        // Unsignalled: the one stream without an SSRC for this role that takes the payload type.
        let mut candidates = self.receivers.iter().enumerate().filter(|(_, r)| {
            (r.ssrc.is_none() && r.is_media_pt(pt)) || (r.rtx_ssrc.is_none() && r.ssrc.is_some() && r.is_rtx_pt(pt))
        });
        let (index, stream) = candidates.next()?;
        if candidates.next().is_some() {
            return None;
        }
        let rtx = stream.ssrc.is_some() && stream.is_rtx_pt(pt);
        self.bind(index, ssrc, rtx);
        Some((index, rtx))
    }

    fn bind(&mut self, index: usize, ssrc: Ssrc, rtx: bool) {
        let stream = &mut self.receivers[index];
        let slot = if rtx { &mut stream.rtx_ssrc } else { &mut stream.ssrc };
        if *slot == Some(ssrc) {
            return;
        }
        if slot.is_some() {
            // A new SSRC on the same mid (the sender restarted): route the new one, forget the old.
            let old = *slot;
            self.routes.retain(|r| Some(r.ssrc) != old);
        }
        *slot = Some(ssrc);
        self.routes.retain(|r| r.ssrc != ssrc);
        self.routes.push(Route {
            ssrc,
            receiver: index,
            rtx,
        });
        self.push_event(Event::SsrcBound {
            receiver: ReceiverId(index),
            ssrc,
            rtx,
        });
    }

    /// Takes one SRTCP datagram (a compound or reduced-size RTCP packet).
    pub fn handle_rtcp(&mut self, now: Instant, packet: &mut BytesMut) {
        self.stats.rtcp_received += 1;
        let Some(srtp) = self.srtp.as_mut() else {
            self.stats.no_keys += 1;
            return;
        };
        if srtp.inbound().unprotect_rtcp(packet).is_err() {
            self.stats.srtp_rejected += 1;
            return;
        }
        self.schedule_report(now);
        let arrival = self.ntp(now).middle32();
        let data = std::mem::take(packet);
        for p in Compound::new(&data) {
            match p {
                Ok(p) => self.on_rtcp(now, arrival, &p),
                Err(_) => self.stats.rtcp_malformed += 1,
            }
        }
        *packet = data;
        packet.clear();
    }

    fn sender_index(&self, ssrc: u32) -> Option<usize> {
        self.senders.iter().position(|s| s.params.ssrc.get() == ssrc)
    }

    fn on_rtcp(&mut self, now: Instant, arrival: u32, p: &RtcpPacket<'_>) {
        match p {
            RtcpPacket::SenderReport(sr) => {
                match self
                    .receivers
                    .iter()
                    .position(|r| r.ssrc == Some(Ssrc::new(sr.sender_ssrc())))
                {
                    Some(i) => self.receivers[i].on_sender_report(now, sr),
                    None => self.stats.rtcp_foreign += 1,
                }
                for block in sr.report_blocks() {
                    self.on_report_block(&block, arrival);
                }
            }
            RtcpPacket::ReceiverReport(rr) => {
                for block in rr.report_blocks() {
                    self.on_report_block(&block, arrival);
                }
            }
            RtcpPacket::Nack(nack) => {
                let Some(i) = self.sender_index(nack.media_ssrc()) else {
                    self.stats.rtcp_foreign += 1;
                    return;
                };
                self.senders[i].stats.nack_count += 1;
                let rtt = self.senders[i].rtt();
                for seq in nack.lost() {
                    match self.senders[i].history.resendable(seq, now, rtt) {
                        Resend::Yes => {
                            if let Some(p) = self.senders[i].history.get_mut(seq) {
                                p.last_resent = Some(now);
                            }
                            if self.resend.len() < self.resend.capacity().max(256) {
                                self.resend.push_back(Queued { sender: i, seq });
                            } else {
                                self.senders[i].stats.nack_unanswered += 1;
                            }
                        }
                        Resend::Pending | Resend::TooSoon => {}
                        Resend::Unknown | Resend::TooOld => self.senders[i].stats.nack_unanswered += 1,
                    }
                }
            }
            RtcpPacket::Pli(pli) => {
                let Some(i) = self.sender_index(pli.media_ssrc()) else {
                    self.stats.rtcp_foreign += 1;
                    return;
                };
                self.senders[i].stats.pli_count += 1;
                self.push_event(Event::KeyframeRequested {
                    sender: SenderId(i),
                    request: KeyframeRequest::Pli,
                });
            }
            RtcpPacket::Fir(fir) => {
                for entry in fir.entries() {
                    let Some(i) = self.sender_index(entry.ssrc) else {
                        self.stats.rtcp_foreign += 1;
                        continue;
                    };
                    if self.senders[i].new_fir(fir.sender_ssrc(), entry.seq_nr) {
                        self.senders[i].stats.fir_count += 1;
                        self.push_event(Event::KeyframeRequested {
                            sender: SenderId(i),
                            request: KeyframeRequest::Fir,
                        });
                    }
                }
            }
            RtcpPacket::Remb(remb) => {
                let bitrate = remb.bitrate_bps();
                for ssrc in remb.media_ssrcs() {
                    if let Some(i) = self.sender_index(ssrc) {
                        self.senders[i].stats.remb_bitrate = Some(bitrate);
                        self.push_event(Event::RemoteBitrate {
                            sender: SenderId(i),
                            bitrate,
                        });
                    }
                }
            }
            RtcpPacket::ExtendedReport(xr) => self.on_extended_report(now, arrival, xr),
            RtcpPacket::Bye(bye) => {
                for ssrc in bye.sources() {
                    if let Some(i) = self.receivers.iter().position(|r| r.ssrc == Some(Ssrc::new(ssrc))) {
                        self.push_event(Event::Bye(ReceiverId(i)));
                    }
                }
            }
            _ => {}
        }
    }

    /// Takes an XR packet: a peer's reference time is kept for our DLRR answer; a DLRR block answering our
    /// reference time gives the round trip.
    fn on_extended_report(&mut self, now: Instant, arrival: u32, xr: &ortc_rtcp::ExtendedReport<'_>) {
        for block in xr.blocks() {
            match block {
                ortc_rtcp::XrBlock::ReceiverReferenceTime(ntp) => {
                    let entry = (xr.sender_ssrc(), ntp.middle32(), now);
                    if let Some(e) = self.peer_rrts.iter_mut().find(|(s, ..)| *s == xr.sender_ssrc()) {
                        *e = entry;
                    } else if self.peer_rrts.len() < 16 {
                        self.peer_rrts.push(entry);
                    } else {
                        self.stats.rtcp_foreign += 1;
                    }
                }
                ortc_rtcp::XrBlock::Dlrr(bytes) => {
                    for item in ortc_rtcp::xr::dlrr_items(bytes) {
                        self.on_dlrr(&item, arrival);
                    }
                }
                ortc_rtcp::XrBlock::Other { .. } => {}
            }
        }
    }

    /// The sender info of every stream that has sent (or is saying BYE): its NTP time, the RTP time of the
    /// same instant (the last frame's, extrapolated on its clock) and its counts (wrapping, RFC 3550 §6.4.1).
    fn sender_infos(&self, now: Instant, ntp: NtpTime) -> Vec<(u32, SenderInfo)> {
        let mut infos = Vec::new();
        for s in self.senders.iter().filter(|s| !s.stopped || s.bye_pending) {
            let Some((ts, at, clock)) = s.last_frame else { continue };
            let elapsed = now.saturating_duration_since(at).as_micros();
            // The RTP clock wraps: keeping the low 32 bits is the intent.
            let rtp_time = ts.wrapping_add((elapsed * u128::from(clock) / 1_000_000) as u32);
            infos.push((
                s.params.ssrc.get(),
                SenderInfo {
                    ntp_time: ntp,
                    rtp_time,
                    packet_count: s.stats.packets_sent as u32,
                    octet_count: s.stats.bytes_sent as u32,
                },
            ));
        }
        infos
    }

    /// DLRR sub-blocks answering the peers' reference times since the last report.
    fn dlrr_items(&mut self, now: Instant) -> Vec<ortc_rtcp::DlrrItem> {
        self.peer_rrts
            .drain(..)
            .map(|(ssrc, last_rr, at)| ortc_rtcp::DlrrItem {
                ssrc,
                last_rr,
                delay_since_last_rr: ortc_rtcp::ntp::duration_to_middle32(now.saturating_duration_since(at)),
            })
            .collect()
    }

    /// A DLRR answer to our reference time: the round trip of a receive-only endpoint.
    fn on_dlrr(&mut self, item: &ortc_rtcp::DlrrItem, arrival: u32) {
        let ours = self.reporter() == Some(item.ssrc);
        let Some((last_rr, _)) = self.last_rrt.filter(|(lrr, _)| ours && *lrr == item.last_rr) else {
            self.stats.rtcp_foreign += 1;
            return;
        };
        let Some(rtt) = ortc_rtcp::rtt_from_report(arrival, last_rr, item.delay_since_last_rr) else {
            return;
        };
        for r in &mut self.receivers {
            r.set_rtt(rtt);
            r.on_round_trip(rtt);
        }
    }

    fn on_report_block(&mut self, block: &ReportBlock, arrival: u32) {
        match self.sender_index(block.ssrc) {
            Some(i) => {
                self.senders[i].on_report_block(block, arrival);
                let rtt = self.senders[i].rtt();
                // The round trip spaces our own NACK retries too.
                for r in &mut self.receivers {
                    r.set_rtt(rtt);
                }
            }
            None => self.stats.rtcp_foreign += 1,
        }
    }

    fn schedule_report(&mut self, now: Instant) {
        if self.timing.next_report().is_none() {
            let members = self.members(now);
            self.timing.start(now, members);
        }
    }

    /// Who takes part, for the report interval: our send SSRCs and the peer's SSRCs we know, and which of
    /// them sent lately.
    fn members(&self, now: Instant) -> Members {
        let ours = self.senders.iter().filter(|s| !s.stopped).count();
        let we_sent = self.senders.iter().any(|s| !s.stopped && s.stats.packets_sent > 0);
        let theirs = self.receivers.iter().filter(|r| r.ssrc.is_some()).count();
        let lately = Duration::from_secs(2);
        let active = self
            .receivers
            .iter()
            .filter(|r| {
                r.stats
                    .last_packet_received
                    .is_some_and(|t| now.saturating_duration_since(t) <= lately)
            })
            .count();
        Members {
            total: ours.max(1) + theirs.max(1),
            senders: usize::from(we_sent) * ours + active,
            we_sent,
        }
    }

    /// When to call [`RtpSession::handle_timeout`], and why.
    pub fn poll_timeout(&self) -> Option<(Instant, TimeoutReason)> {
        let mut best = self.timing.next_report().map(|t| (t, TimeoutReason::Report));
        if let Some(t) = self.twcc.due
            && best.is_none_or(|(b, _)| t < b)
        {
            best = Some((t, TimeoutReason::TransportFeedback));
        }
        for (i, r) in self.receivers.iter().enumerate() {
            if let Some(t) = r.poll_timeout()
                && best.is_none_or(|(b, _)| t < b)
            {
                best = Some((t, TimeoutReason::Receiver(ReceiverId(i))));
            }
        }
        best
    }

    /// Runs what is due at `now`: NACKs and keyframe requests of the receive streams, reports.
    pub fn handle_timeout(&mut self, now: Instant) {
        for i in 0..self.receivers.len() {
            if self.receivers[i].stopped {
                continue;
            }
            self.send_nack(now, i);
            if self.receivers[i].poll_keyframe_request() {
                self.send_keyframe_request(i, false);
            }
            // Audio playout and give-ups make packets due: say so.
            if !self.receivers[i].readable && self.receivers[i].poll_timeout().is_some_and(|t| t <= now) {
                self.receivers[i].readable = true;
                self.push_event(Event::Readable(ReceiverId(i)));
            }
        }
        if self.twcc.due.is_some_and(|t| t <= now) {
            self.send_transport_feedback();
        }
        if self.timing.report_due(now) {
            let members = self.members(now);
            if self.timing.on_regular_time(now, members) {
                self.send_report(now);
            }
            // Feedback that waited for the regular time goes out now.
            self.flush_feedback(true);
        }
    }

    fn send_nack(&mut self, now: Instant, i: usize) {
        let stream = &mut self.receivers[i];
        let Some(media_ssrc) = stream.ssrc.map(Ssrc::get) else {
            return;
        };
        let sender_ssrc = stream.params.rtcp_ssrc.get();
        self.nack_items.clear();
        self.nack_items.extend(ortc_rtcp::nack_items(stream.poll_nack(now)));
        if self.nack_items.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.nack_items);
        // A NACK holds at most as many items as fit one datagram.
        for chunk in items.chunks(200) {
            let nack = NackBuilder {
                sender_ssrc,
                media_ssrc,
                items: chunk,
            };
            self.hold_feedback(&nack);
        }
        self.nack_items = items;
    }

    /// Queues a keyframe request for receive stream `i`: PLI when negotiated (or `forced`), else FIR with a
    /// new command sequence number when `ccm fir` was; counted. `false` if nothing was queued.
    fn send_keyframe_request(&mut self, i: usize, forced: bool) -> bool {
        let r = &self.receivers[i];
        let Some(media_ssrc) = r.ssrc.map(Ssrc::get) else {
            return false;
        };
        let sender_ssrc = r.params.rtcp_ssrc.get();
        if !r.params.pli && r.params.fir {
            let seq_nr = r.fir_seq;
            let entries = [ortc_rtcp::FirEntry {
                ssrc: media_ssrc,
                seq_nr,
            }];
            // RFC 5104 §4.3.1.2: the media SSRC field is 0; the FCI names the stream.
            let fir = ortc_rtcp::FirBuilder {
                sender_ssrc,
                media_ssrc: 0,
                entries: &entries,
            };
            let sent = self.hold_feedback(&fir);
            if sent {
                let r = &mut self.receivers[i];
                r.fir_seq = r.fir_seq.wrapping_add(1);
                r.stats.fir_count += 1;
            }
            return sent;
        }
        if !r.params.pli && !forced {
            return false;
        }
        let pli = PliBuilder {
            sender_ssrc,
            media_ssrc,
        };
        let sent = self.hold_feedback(&pli);
        if sent {
            self.receivers[i].stats.pli_count += 1;
        }
        sent
    }

    /// The SSRC our RTCP goes out from: the first send stream's, else the first receive stream's.
    fn reporter(&self) -> Option<u32> {
        self.senders
            .first()
            .map(|s| s.params.ssrc.get())
            .or_else(|| self.receivers.first().map(|r| r.params.rtcp_ssrc.get()))
    }

    /// Queues transport-wide feedback for the packets that arrived since the last one (draft-holmer-rmcat-
    /// transport-wide-cc-extensions-01 §3.1).
    fn send_transport_feedback(&mut self) {
        self.twcc.due = None;
        let Some(reporter) = self.reporter() else {
            self.twcc.arrivals.clear();
            return;
        };
        let mut arrivals = std::mem::take(&mut self.twcc.arrivals);
        arrivals.sort_unstable();
        arrivals.dedup_by_key(|(seq, _)| *seq);
        let media_ssrc = self.twcc.media_ssrc;
        let mut encoder = self
            .twcc
            .encoder
            .take()
            .unwrap_or_else(|| ortc_rtcp::TwccEncoder::new(reporter, media_ssrc, 0));
        encoder.reset(self.twcc.feedback_count);
        for &(seq, arrival) in &arrivals {
            if self.twcc.next.is_some_and(|next| seq < next) {
                self.stats.transport_feedback_late += 1;
                continue;
            }
            if encoder.add(seq.cast_unsigned() as u16, arrival).is_err() {
                // Too far from what the message holds (a long gap, a large delta): send it, start the next.
                self.flush_transport_feedback(reporter, &mut encoder);
                if encoder.add(seq.cast_unsigned() as u16, arrival).is_err() {
                    continue;
                }
            }
            self.twcc.next = Some(seq + 1);
        }
        self.flush_transport_feedback(reporter, &mut encoder);
        arrivals.clear();
        self.twcc.arrivals = arrivals;
        self.twcc.encoder = Some(encoder);
    }

    fn flush_transport_feedback(&mut self, reporter: u32, encoder: &mut ortc_rtcp::TwccEncoder) {
        if encoder.is_empty() {
            return;
        }
        if self.queue_feedback(reporter, &*encoder) {
            self.stats.transport_feedback_sent += 1;
        }
        self.twcc.feedback_count = self.twcc.feedback_count.wrapping_add(1);
        encoder.reset(self.twcc.feedback_count);
    }

    /// Queues a feedback packet from `reporter`: alone when reduced-size RTCP is negotiated (RFC 5506),
    /// otherwise in a compound behind an empty receiver report and SDES CNAME (RFC 4585 §3.1).
    fn queue_feedback(&mut self, reporter: u32, packet: &dyn WriteRtcp) -> bool {
        let sent = if self.config.reduced_size_rtcp {
            self.rtcp.push(&[packet])
        } else {
            let rr = ReceiverReportBuilder {
                sender_ssrc: reporter,
                report_blocks: &[],
                profile_extension: &[],
            };
            let sdes = SdesCname {
                ssrc: reporter,
                cname: &self.config.cname,
            };
            self.rtcp.push(&[&rr, &sdes, packet])
        };
        if let Some(len) = sent {
            self.timing.on_compound(len);
            true
        } else {
            self.stats.rtcp_dropped += 1;
            false
        }
    }

    /// Holds a NACK, PLI or FIR for the early-feedback slot or the next regular report (RFC 4585 §3.5.2);
    /// `false` (counted as dropped) when the held feedback is full.
    fn hold_feedback(&mut self, packet: &dyn WriteRtcp) -> bool {
        let start = self.held_feedback.len();
        let len = packet.encoded_len();
        if start + len > MAX_HELD_FEEDBACK {
            self.stats.rtcp_dropped += 1;
            return false;
        }
        self.held_feedback.resize(start + len, 0);
        if let Ok(n) = packet.write(&mut self.held_feedback[start..]) {
            self.held_feedback.truncate(start + n);
            true
        } else {
            self.held_feedback.truncate(start);
            self.stats.rtcp_dropped += 1;
            false
        }
    }

    /// Sends the held feedback now if the early slot is free, or `regular` (the regular report is going out).
    fn flush_feedback(&mut self, regular: bool) {
        if self.held_feedback.is_empty() || !(regular || self.timing.take_early()) {
            return;
        }
        let Some(reporter) = self.reporter() else {
            self.held_feedback.clear();
            return;
        };
        let held = std::mem::take(&mut self.held_feedback);
        if self.queue_feedback(reporter, &Held(&held)) {
            if regular {
                self.stats.feedback_with_report += 1;
            } else {
                self.stats.feedback_early += 1;
            }
        }
        self.held_feedback = held;
        self.held_feedback.clear();
    }

    /// Queues a compound: an SR per sending stream (the first with every receive stream's block), or an RR,
    /// then SDES CNAME, then BYE for streams stopped since.
    fn send_report(&mut self, now: Instant) {
        self.blocks.clear();
        for r in &mut self.receivers {
            if self.blocks.len() < MAX_REPORT_BLOCKS
                && !r.stopped
                && let Some(b) = r.report_block(now)
            {
                self.blocks.push(b);
            }
        }
        let ntp = self.ntp(now);
        let blocks = std::mem::take(&mut self.blocks);
        let infos = self.sender_infos(now, ntp);
        let reporter = infos
            .first()
            .map(|(s, _)| *s)
            .or_else(|| self.receivers.first().map(|r| r.params.rtcp_ssrc.get()));
        let Some(reporter) = reporter else {
            self.blocks = blocks;
            return;
        };
        let cname = std::mem::take(&mut self.config.cname);
        let srs: Vec<SenderReportBuilder<'_>> = infos
            .iter()
            .enumerate()
            .map(|(n, (ssrc, info))| SenderReportBuilder {
                sender_ssrc: *ssrc,
                sender_info: *info,
                report_blocks: if n == 0 { &blocks } else { &[] },
                profile_extension: &[],
            })
            .collect();
        let rr = ReceiverReportBuilder {
            sender_ssrc: reporter,
            report_blocks: &blocks,
            profile_extension: &[],
        };
        let sdes = SdesCname {
            ssrc: reporter,
            cname: &cname,
        };
        let byes: Vec<u32> = self
            .senders
            .iter()
            .filter(|s| s.bye_pending)
            .flat_map(|s| [Some(s.params.ssrc), s.params.rtx_ssrc])
            .flatten()
            .map(Ssrc::get)
            .collect();
        let bye = ByeBuilder {
            sources: &byes,
            reason: None,
        };
        // XR (RFC 3611): a receive-only endpoint sends its reference time, to learn the round trip from the
        // DLRR answer; the peers' reference times are answered.
        let dlrr = self.dlrr_items(now);
        let mut xr_blocks = Vec::with_capacity(2);
        if srs.is_empty() {
            xr_blocks.push(ortc_rtcp::XrBlockBuilder::ReceiverReferenceTime(ntp));
            self.last_rrt = Some((ntp.middle32(), now));
        }
        if !dlrr.is_empty() {
            xr_blocks.push(ortc_rtcp::XrBlockBuilder::Dlrr(&dlrr));
        }
        let xr = ortc_rtcp::ExtendedReportBuilder {
            sender_ssrc: reporter,
            blocks: &xr_blocks,
        };
        let mut packets: Vec<&dyn WriteRtcp> = Vec::with_capacity(srs.len() + 4);
        if srs.is_empty() {
            packets.push(&rr);
        } else {
            packets.extend(srs.iter().map(|s| s as &dyn WriteRtcp));
        }
        packets.push(&sdes);
        if !xr_blocks.is_empty() {
            packets.push(&xr);
        }
        if !byes.is_empty() {
            packets.push(&bye);
        }
        match self.rtcp.push(&packets) {
            Some(len) => self.timing.on_compound(len),
            None => self.stats.rtcp_dropped += 1,
        }
        drop(packets);
        drop(srs);
        for s in &mut self.senders {
            s.bye_pending = false;
        }
        self.config.cname = cname;
        self.blocks = blocks;
    }

    /// Writes the next datagram to send into `out` (cleared first), protected; `None` when nothing is due
    /// or no keys are set yet.
    pub fn poll_transmit(&mut self, now: Instant, out: &mut BytesMut) -> Option<Transmit> {
        self.srtp.as_ref()?;
        out.clear();
        if !self.held_feedback.is_empty() {
            self.flush_feedback(false);
        }
        while self.rtcp.pop_into(out) {
            let srtp = self.srtp.as_mut()?;
            if srtp.outbound().protect_rtcp(out).is_ok() {
                return Some(Transmit::Rtcp { len: out.len() });
            }
            self.stats.protect_failed += 1;
            out.clear();
        }
        while let Some(q) = self.resend.pop_front() {
            if let Some(len) = self.write_resend(q, out) {
                self.timing.on_rtp(len);
                return Some(Transmit::Rtp { len });
            }
            out.clear();
        }
        while let Some(q) = self.media.pop_front() {
            if let Some(len) = self.write_media(now, q, out) {
                self.timing.on_rtp(len);
                return Some(Transmit::Rtp { len });
            }
            out.clear();
        }
        None
    }

    fn next_transport_seq(&mut self) -> u16 {
        let n = self.transport_seq;
        self.transport_seq = n.wrapping_add(1);
        n
    }

    fn write_media(&mut self, now: Instant, q: Queued, out: &mut BytesMut) -> Option<usize> {
        let self_ntp = self.ntp(now);
        let tcc = self.senders[q.sender].history.get(q.seq)?.transport_cc_at.is_some();
        let tcc_seq = if tcc { self.next_transport_seq() } else { 0 };
        let stream = &mut self.senders[q.sender];
        let rtx = stream.params.rtx_ssrc.is_some();
        let p = stream.history.get_mut(q.seq)?;
        out.extend_from_slice(&p.plain);
        if let Some(at) = p.transport_cc_at {
            out[at..at + 2].copy_from_slice(&tcc_seq.to_be_bytes());
        }
        if let Some(at) = p.abs_send_time_at {
            let t = ortc_rtp_packet::AbsSendTime::from_ntp(self_ntp.0).0.to_be_bytes();
            out[at..at + 3].copy_from_slice(&t[1..]);
        }
        let (payload, header) = ((p.plain.len() - p.header_len) as u64, p.header_len as u64);
        let srtp = self.srtp.as_mut()?;
        if srtp.outbound().protect_rtp(out).is_err() {
            self.stats.protect_failed += 1;
            return None;
        }
        p.first_sent = Some(now);
        if !rtx {
            // Without RTX a retransmission resends exactly these bytes (never protect a sequence number twice).
            p.protected.clear();
            p.protected.extend_from_slice(out);
        }
        stream.stats.packets_sent += 1;
        stream.stats.bytes_sent += payload;
        stream.stats.header_bytes_sent += header;
        Some(out.len())
    }

    fn write_resend(&mut self, q: Queued, out: &mut BytesMut) -> Option<usize> {
        let rtx_pt = {
            let stream = &self.senders[q.sender];
            let p = stream.history.get(q.seq)?;
            let pt = RtpPacket::parse(&p.plain[..]).ok()?.payload_type();
            stream
                .codec(PayloadType::from_masked(pt))
                .and_then(|c| c.rtx_payload_type)
        };
        let stream = &self.senders[q.sender];
        let payload_len = {
            let p = stream.history.get(q.seq)?;
            (p.plain.len() - p.header_len) as u64
        };
        if let (Some(rtx_pt), Some(rtx_ssrc)) = (rtx_pt, stream.params.rtx_ssrc) {
            let tcc = self.next_transport_seq();
            let stream = &mut self.senders[q.sender];
            let rtx_seq = stream.next_rtx_seq;
            let p = stream.history.get(q.seq)?;
            let original = RtpPacket::parse(&p.plain[..]).ok()?;
            let rewrite = RtxExtensions::new(&self.config.extensions);
            let rewrite = if p.transport_cc_at.is_some() {
                rewrite.transport_sequence_number(tcc)
            } else {
                rewrite
            };
            out.resize(p.plain.len() + ortc_rtp_packet::OSN_LEN, 0);
            let n = rtx_wrap(&original, rtx_pt.get(), rtx_ssrc.get(), rtx_seq, &rewrite, out).ok()?;
            out.truncate(n);
            stream.next_rtx_seq = rtx_seq.wrapping_add(1);
            let srtp = self.srtp.as_mut()?;
            if srtp.outbound().protect_rtp(out).is_err() {
                self.stats.protect_failed += 1;
                return None;
            }
        } else {
            let p = stream.history.get(q.seq)?;
            if p.protected.is_empty() {
                return None;
            }
            out.extend_from_slice(&p.protected);
        }
        let stream = &mut self.senders[q.sender];
        stream.stats.retransmitted_packets_sent += 1;
        stream.stats.retransmitted_bytes_sent += payload_len;
        Some(out.len())
    }
}

/// A send stream, borrowed from its session.
#[derive(Debug)]
pub struct SenderMut<'a> {
    session: &'a mut RtpSession,
    index: usize,
}

impl SenderMut<'_> {
    /// Packetizes an encoded frame with payload type `payload_type` and RTP time `rtp_time` (the stream's
    /// random origin is added) and queues its packets. Returns how many packets it made.
    pub fn write_frame(
        &mut self,
        now: Instant,
        payload_type: PayloadType,
        rtp_time: u32,
        frame: &[u8],
    ) -> Result<usize, SessionError> {
        let s = &mut *self.session;
        s.schedule_report(now);
        let index = self.index;
        let max = s.config.max_queued_packets;
        let media = &mut s.media;
        s.senders[index].write_frame(now, payload_type, rtp_time, frame, &s.config.extensions, |seq| {
            if media.len() >= max {
                return false;
            }
            media.push_back(Queued { sender: index, seq });
            true
        })
    }

    /// Sets the audio level (RFC 6464: `-dBov` and the voice flag) that the next frames' packets carry, when
    /// the extension is negotiated; `None` stops sending it.
    pub fn set_audio_level(&mut self, level: Option<ortc_rtp_packet::AudioLevel>) -> Result<(), SessionError> {
        let s = &mut *self.session;
        s.senders[self.index].set_audio_level(level, &s.config.extensions)
    }

    /// Says the next audio packet starts a talkspurt (marker bit), e.g. after discontinuous transmission.
    pub fn start_talkspurt(&mut self) {
        self.session.senders[self.index].start_talkspurt();
    }

    /// The stream's counters.
    pub fn stats(&self) -> SenderStats {
        self.session.senders[self.index].stats.clone()
    }

    /// Stops the stream: nothing more is sent on it but a BYE with the next report, which is sent at once.
    /// Stopping twice does nothing.
    pub fn stop(&mut self, now: Instant) {
        let s = &mut *self.session;
        let stream = &mut s.senders[self.index];
        if stream.stopped {
            return;
        }
        stream.stopped = true;
        stream.bye_pending = true;
        let index = self.index;
        s.media.retain(|q| q.sender != index);
        s.resend.retain(|q| q.sender != index);
        s.send_report(now);
    }
}

/// A receive stream, borrowed from its session.
#[derive(Debug)]
pub struct ReceiverMut<'a> {
    session: &'a mut RtpSession,
    index: usize,
}

impl ReceiverMut<'_> {
    /// The next frame (video, in decode order) or audio packet (at its playout time) due at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<Received<'_>> {
        self.session.receivers[self.index].poll(now)
    }

    /// The stream's counters.
    pub fn stats(&self) -> ReceiverStats {
        self.session.receivers[self.index].stats()
    }

    /// The synchronization source heard in the last 10 s.
    pub fn synchronization_source(&self, now: Instant) -> Option<RtpSource> {
        self.session.receivers[self.index].synchronization_source(now)
    }

    /// The contributing sources heard in the last 10 s.
    pub fn contributing_sources(&self, now: Instant) -> Vec<RtpSource> {
        self.session.receivers[self.index].contributing_sources(now).collect()
    }

    /// Asks the sender for a keyframe now, whatever the jitter buffer thinks: PLI, or FIR when only
    /// `ccm fir` was negotiated (PLI when neither was: the caller asked explicitly).
    pub fn request_keyframe(&mut self) -> bool {
        self.session.send_keyframe_request(self.index, true)
    }

    /// Stops the stream: its packets are dropped from now on.
    pub fn stop(&mut self) {
        self.session.receivers[self.index].stopped = true;
    }
}

/// `d` in NTP units (2^-32 s).
fn duration_to_ntp(d: Duration) -> u64 {
    (d.as_secs() << 32) + ((u64::from(d.subsec_nanos()) << 32) / 1_000_000_000)
}
