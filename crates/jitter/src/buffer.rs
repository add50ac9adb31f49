//! The jitter buffer: a ring of packets indexed by unwrapped sequence number, the missing list, frame
//! assembly (video) and playout (audio).

use std::time::{Duration, Instant};

use bytes::Bytes;
use ortc_codecs::{Boundary, CodecError, FrameBoundary};
use ortc_rtp_packet::{RtpPacket, SequenceUnwrapper, TimestampUnwrapper};

use crate::config::{Config, MediaKind};
use crate::nack::{Due, NackList};
use crate::playout::PlayoutReference;
use crate::stats::{InterarrivalJitter, JitterStats};

/// A packet held by the buffer, as released to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// RTP sequence number.
    pub sequence_number: u16,
    /// Sequence number unwrapped to 64 bits (monotonic across wrap-arounds, reset on restart).
    pub extended_sequence_number: i64,
    /// RTP timestamp.
    pub timestamp: u32,
    /// Timestamp unwrapped to 64 bits.
    pub extended_timestamp: i64,
    /// RTP marker bit.
    pub marker: bool,
    /// RTP payload, without padding.
    pub payload: Bytes,
    /// When the packet was inserted.
    pub arrival: Instant,
}

/// The header fields the buffer reads, for callers that hold the payload apart from the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketInfo {
    /// Synchronization source; a change restarts the stream.
    pub ssrc: u32,
    /// RTP sequence number.
    pub sequence_number: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// RTP marker bit.
    pub marker: bool,
}

/// What [`JitterBuffer::insert`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Stored.
    Stored,
    /// Stored as the first packet of a new stream (an SSRC change, or the second of two consecutive packets
    /// far from the old stream's sequence numbers, both stored): everything held before was dropped.
    Restarted,
    /// Dropped: the same sequence number is held or was just released.
    Duplicate,
    /// Dropped: its turn had passed (older than what was released or given up).
    TooOld,
    /// Held aside: its sequence number lies more than [`Config::max_sequence_jump`] from the stream's (a
    /// stale or stray copy, or the first packet of a renumbered stream; RFC 3550 A.1 probation). Nothing
    /// held is touched. If the next packet is its successor, the stream restarts with both (that insert
    /// returns [`Inserted::Restarted`]); otherwise it is discarded and counted in
    /// [`JitterStats::packets_discarded`].
    Probation,
    /// Dropped: the frame-boundary reader rejected the payload.
    Malformed(CodecError),
}

/// A complete video frame, borrowed from the buffer until the next [`JitterBuffer::poll_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoFrame<'a> {
    /// RTP timestamp shared by the frame's packets.
    pub timestamp: u32,
    /// The timestamp unwrapped to 64 bits.
    pub extended_timestamp: i64,
    /// True when a packet of the frame said keyframe.
    pub keyframe: bool,
    /// The frame's packets in sequence order, first (frame start) to last (frame end, or the end of a
    /// layer frame for a VP9 picture that lost its upper layer), with any padding-only packet (empty
    /// payload) among them. Give them all to a depayloader, then call
    /// [`Depayloader::finish`](ortc_codecs::Depayloader::finish): it returns a frame that ended at a layer
    /// end, and nothing for one that ended at its marker.
    pub packets: &'a [Packet],
}

/// What [`JitterBuffer::poll_audio`] releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOut {
    /// The next packet, at its playout time.
    Packet(Packet),
    /// The next packet is missing at its playout time: the decoder conceals it.
    Conceal {
        /// Sequence number of the missing packet.
        sequence_number: u16,
        /// The same, unwrapped.
        extended_sequence_number: i64,
    },
}

/// Why the buffer asks for a keyframe (send PLI / FIR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyframeReason {
    /// The stream (or a restart of it) began with a frame that is not a keyframe.
    StreamStart,
    /// A packet was given up: the frames after it cannot be decoded.
    PacketLost,
    /// The loss was too large to NACK.
    LossTooLarge,
    /// The buffer was full and dropped frames.
    BufferFull,
}

/// Why [`JitterBuffer::poll_timeout`] wants to be woken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReason {
    /// A missing packet is due for a NACK: call [`JitterBuffer::poll_nack`].
    Nack,
    /// A missing packet's retries are spent: call [`JitterBuffer::poll_nack`] (and then poll frames).
    GiveUp,
    /// An audio packet (or a concealment) is due: call [`JitterBuffer::poll_audio`].
    Playout,
    /// The first packets seen start mid-frame; the frame's start may still arrive until then: call
    /// [`JitterBuffer::poll_frame`].
    StartWait,
}

/// Reads every packet as a whole frame (audio codecs, or tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EveryPacket;

impl FrameBoundary for EveryPacket {
    fn boundary(&self, _payload: &[u8], _marker: bool) -> Result<Boundary, CodecError> {
        Ok(Boundary {
            frame_start: true,
            frame_end: true,
            layer_end: true,
            keyframe: true,
        })
    }
}

#[derive(Debug, Clone, Default)]
enum State {
    /// Nothing known about this sequence number.
    #[default]
    Empty,
    /// Given up (or too much lost to ask for).
    Lost,
    /// Released or dropped (padding too, once the head passed it).
    Done,
    /// Held.
    Present(Packet, Boundary),
    /// A held padding-only packet: part of no frame, released with a frame it falls inside (so that a
    /// depayloader sees every sequence number) and passed over at the head.
    Padding(Packet),
}

#[derive(Debug, Clone)]
struct Slot {
    /// The extended sequence number the state belongs to; a slot whose `seq` differs is empty.
    seq: i64,
    state: State,
}

const EMPTY: Slot = Slot {
    seq: i64::MIN,
    state: State::Empty,
};

/// A sans-IO jitter buffer for one RTP stream. Every call takes the current time; nothing reads a clock.
///
/// `F` reads frame boundaries from payloads (a depayloader from `ortc-codecs`, or [`EveryPacket`]).
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)] // independent flags of one state machine, not a mode
pub struct JitterBuffer<F> {
    config: Config,
    boundary: F,
    // invariant: slots.len() is a power of two, mask = len - 1
    slots: Vec<Slot>,
    mask: i64,
    ssrc: Option<u32>,
    seq_unwrap: SequenceUnwrapper,
    ts_unwrap: TimestampUnwrapper,
    started: bool,
    /// Until when a stream that starts mid-frame waits for the frame's first packets (reordered); set by
    /// the stream's first packet.
    start_deadline: Option<Instant>,
    /// Next sequence number to release.
    head: i64,
    /// Newest sequence number stored.
    newest: i64,
    /// Oldest sequence number of this stream (RFC 3550 base for loss).
    base: i64,
    released_any: bool,
    held: usize,
    nack: NackList,
    nack_out: Vec<u16>,
    rtt: Duration,
    waiting_keyframe: bool,
    /// When the pending wait for a keyframe last asked for one.
    keyframe_requested_at: Option<Instant>,
    keyframe_request: Option<KeyframeReason>,
    frame_out: Vec<Packet>,
    /// How far the frame at the head has been found complete so far, so a poll only looks at new packets.
    // invariant: when `scan.head == head`, packets `head..scan.next` are held (or padding), share one timestamp and none
    // ends the frame; `scan.layer_end` is the layer end of packet `scan.next - 1` (held packets only leave
    // by moving the head, and a restart clears this)
    scan: ScanProgress,
    jitter: InterarrivalJitter,
    target_delay: Duration,
    /// Audio: the recent shortest transit playout is reckoned from.
    playout: PlayoutReference,
    /// A packet far from the stream's sequence numbers, waiting for its successor to confirm a restart.
    probation: Option<Probation>,
    received_this_stream: u64,
    lost_before_restart: i64,
    stats: JitterStats,
}

impl<F: FrameBoundary> JitterBuffer<F> {
    /// An empty buffer.
    pub fn new(config: Config, boundary: F) -> Self {
        let cap = config.capacity.clamp(16, 1 << 20).next_power_of_two();
        Self {
            slots: vec![EMPTY; cap],
            mask: i64::try_from(cap).unwrap_or(1 << 20) - 1,
            boundary,
            ssrc: None,
            seq_unwrap: SequenceUnwrapper::new(),
            ts_unwrap: TimestampUnwrapper::new(),
            started: false,
            start_deadline: None,
            head: 0,
            newest: 0,
            base: 0,
            released_any: false,
            held: 0,
            nack: NackList::default(),
            nack_out: Vec::new(),
            rtt: config.initial_rtt,
            waiting_keyframe: config.kind == MediaKind::Video,
            keyframe_requested_at: None,
            keyframe_request: None,
            frame_out: Vec::new(),
            scan: ScanProgress::NONE,
            jitter: InterarrivalJitter::new(config.clock_rate),
            target_delay: config.min_delay,
            playout: PlayoutReference::new(config.clock_rate),
            probation: None,
            received_this_stream: 0,
            lost_before_restart: 0,
            stats: JitterStats::default(),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Packets held at most.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Packets held now.
    pub fn len(&self) -> usize {
        self.held
    }

    /// True when no packet is held.
    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    /// Sets the round-trip time that spaces NACK retries.
    pub fn set_rtt(&mut self, rtt: Duration) {
        self.rtt = rtt;
    }

    /// The round-trip time in use.
    pub fn rtt(&self) -> Duration {
        self.rtt
    }

    /// The adaptive playout delay: a multiple of the measured jitter within the configured bounds. Audio
    /// packets are released this long after their earliest possible arrival; for video it is advice for
    /// the renderer.
    pub fn target_delay(&self) -> Duration {
        self.target_delay
    }

    /// Counters so far.
    pub fn stats(&self) -> JitterStats {
        let mut s = self.stats;
        let expected = if self.started { self.newest - self.base + 1 } else { 0 };
        s.packets_lost = self.lost_before_restart + expected - self.received_this_stream.cast_signed();
        s.jitter = self.jitter.jitter();
        s.jitter_seconds = self.jitter.jitter_seconds();
        s.target_delay = self.target_delay;
        s.inserted_samples_for_deceleration = self.playout.later_units();
        s.removed_samples_for_acceleration = self.playout.earlier_units();
        s
    }

    #[inline]
    fn slot(&self, seq: i64) -> &Slot {
        &self.slots[index(seq, self.mask)]
    }

    #[inline]
    fn slot_mut(&mut self, seq: i64) -> &mut Slot {
        &mut self.slots[index(seq, self.mask)]
    }

    /// Inserts a received packet. The payload is kept as a slice of the packet's buffer (no copy).
    pub fn insert(&mut self, now: Instant, packet: &RtpPacket<Bytes>) -> Inserted {
        let start = packet.header_len();
        let payload = packet.buffer().slice(start..start + packet.payload().len());
        let info = PacketInfo {
            ssrc: packet.ssrc(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            marker: packet.marker(),
        };
        self.insert_parts(now, info, payload)
    }

    /// Inserts a packet given as header fields and payload (padding removed). An empty payload (a
    /// padding-only packet) fills its sequence number, so it is neither asked for again nor a hole, and
    /// releases nothing.
    pub fn insert_parts(&mut self, now: Instant, info: PacketInfo, payload: Bytes) -> Inserted {
        let boundary = match self.read_boundary(&payload, info.marker) {
            Ok(b) => b,
            Err(malformed) => return malformed,
        };
        if self.ssrc.is_some_and(|s| s != info.ssrc) {
            tracing::debug!(old = ?self.ssrc, new = info.ssrc, "jitter buffer: SSRC changed, restarting");
            self.end_probation();
            self.restart();
            self.ssrc = Some(info.ssrc);
            self.store(now, info, payload, boundary);
            return Inserted::Restarted;
        }
        self.ssrc = Some(info.ssrc);
        if self.started {
            let seq = self.seq_unwrap.peek(info.sequence_number);
            let jump = i64::from(self.config.max_sequence_jump);
            if seq > self.newest + jump || seq < self.head - jump {
                return self.probation(now, info, payload, boundary);
            }
        }
        self.end_probation();
        self.store(now, info, payload, boundary)
    }

    /// A packet far from the stream's sequence numbers (RFC 3550 A.1): a stale or stray copy, or the first
    /// of a renumbered stream. It is held aside; only its successor, next, restarts the stream with both.
    fn probation(&mut self, now: Instant, info: PacketInfo, payload: Bytes, boundary: Option<Boundary>) -> Inserted {
        match self.probation.take() {
            Some(first) if first.info.sequence_number.wrapping_add(1) == info.sequence_number => {
                tracing::debug!(
                    seq = info.sequence_number,
                    newest = self.newest,
                    "jitter buffer: sequence jump confirmed, restarting"
                );
                self.restart();
                self.store(first.arrival, first.info, first.payload, first.boundary);
                self.store(now, info, payload, boundary);
                Inserted::Restarted
            }
            Some(first) if first.info.sequence_number == info.sequence_number => {
                self.probation = Some(first);
                self.stats.packets_duplicated += 1;
                Inserted::Duplicate
            }
            earlier => {
                if earlier.is_some() {
                    self.stats.packets_discarded += 1;
                }
                self.probation = Some(Probation {
                    arrival: now,
                    info,
                    payload,
                    boundary,
                });
                Inserted::Probation
            }
        }
    }

    /// The packet held on probation was not followed by its successor: it is discarded.
    fn end_probation(&mut self) {
        if self.probation.take().is_some() {
            self.stats.packets_discarded += 1;
        }
    }

    /// Stores a packet of the current stream (or the first of a new one).
    fn store(&mut self, now: Instant, info: PacketInfo, payload: Bytes, boundary: Option<Boundary>) -> Inserted {
        let cap = self.mask + 1;
        let seq = if self.started {
            self.seq_unwrap.peek(info.sequence_number)
        } else {
            let seq = self.seq_unwrap.unwrap(info.sequence_number);
            self.started = true;
            self.start_deadline = Some(now + self.config.nack_delay + self.rtt);
            self.head = seq;
            self.newest = seq;
            self.base = seq;
            seq
        };

        if seq < self.head {
            let slot = self.slot(seq);
            if slot.seq == seq && matches!(slot.state, State::Done) {
                self.stats.packets_duplicated += 1;
                return Inserted::Duplicate;
            }
            if !self.released_any && self.newest - seq < cap {
                self.extend_back(now, seq);
            } else {
                self.stats.packets_discarded += 1;
                return Inserted::TooOld;
            }
        }
        {
            let slot = self.slot(seq);
            if slot.seq == seq && matches!(slot.state, State::Present(..) | State::Padding(_)) {
                self.stats.packets_duplicated += 1;
                return Inserted::Duplicate;
            }
        }
        if seq >= self.head + cap {
            self.make_room(now, seq - cap + 1);
        }

        self.seq_unwrap.unwrap(info.sequence_number);
        // a padding packet's timestamp says nothing of when media was sampled (senders reuse the last one,
        // or any): it moves neither the unwrapping, nor the jitter estimate, nor the playout reference
        let media = boundary.is_some();
        let ts = if media {
            self.ts_unwrap.unwrap(info.timestamp)
        } else {
            self.ts_unwrap.peek(info.timestamp)
        };
        if seq > self.newest {
            self.note_gap(now, self.newest + 1, seq, Gap::AfterListed);
            self.newest = seq;
            if media {
                self.jitter.update(now, info.timestamp);
                self.adapt_delay();
            }
        } else if self.nack.remove(seq).is_some_and(|sent| sent > 0) {
            self.stats.packets_recovered += 1;
        }
        if media && self.config.kind == MediaKind::Audio {
            self.playout.update(now, ts);
        }
        let packet = Packet {
            sequence_number: info.sequence_number,
            extended_sequence_number: seq,
            timestamp: info.timestamp,
            extended_timestamp: ts,
            marker: info.marker,
            payload,
            arrival: now,
        };
        let state = match boundary {
            Some(boundary) => State::Present(packet, boundary),
            None => State::Padding(packet),
        };
        *self.slot_mut(seq) = Slot { seq, state };
        self.held += 1;
        self.stats.packets_received += 1;
        self.received_this_stream += 1;
        Inserted::Stored
    }

    /// Reordering at the very start: the stream began at `seq`, earlier than its first arrival, and what lies
    /// between is missing, but for padding already passed over (listed newest first: each goes to the front
    /// of the NACK list).
    fn extend_back(&mut self, now: Instant, seq: i64) {
        let old_head = self.head;
        self.head = seq;
        *self.slot_mut(seq) = EMPTY;
        // runs of missing sequence numbers, newest run first
        let mut end = old_head;
        for s in (seq..old_head).rev() {
            let slot = self.slot(s);
            let padding = slot.seq == s && matches!(slot.state, State::Done);
            if padding || s == seq {
                let from = s + 1;
                for m in from..end {
                    *self.slot_mut(m) = EMPTY;
                }
                self.note_gap(now, from, end, Gap::BeforeListed);
                end = s;
            }
        }
        self.base = seq;
    }

    /// The packet's frame boundaries; `None` for a padding-only packet (nothing left once padding is
    /// removed: bandwidth probes when no RTX stream was negotiated), which belongs to no frame.
    fn read_boundary(&mut self, payload: &[u8], marker: bool) -> Result<Option<Boundary>, Inserted> {
        if payload.is_empty() {
            return Ok(None);
        }
        self.boundary.boundary(payload, marker).map(Some).map_err(|e| {
            self.stats.packets_malformed += 1;
            Inserted::Malformed(e)
        })
    }

    /// Sequence numbers `from..to` are missing: list them for NACK, or give them up when too many.
    fn note_gap(&mut self, now: Instant, from: i64, to: i64, gap: Gap) {
        // after a jump that emptied the buffer, what lies before the head is no longer wanted
        let from = from.max(self.head);
        if from >= to {
            return;
        }
        let n = usize::try_from(to - from).unwrap_or(usize::MAX);
        if self.nack.len() + n <= self.config.max_nack_list {
            let due = now + self.config.nack_delay;
            match gap {
                Gap::AfterListed => self.nack.push_range(from, to, due),
                Gap::BeforeListed => self.nack.push_front_range(from, to, due),
            }
            return;
        }
        for s in from..to {
            *self.slot_mut(s) = Slot {
                seq: s,
                state: State::Lost,
            };
        }
        self.stats.nack_given_up += n as u64;
        if self.config.kind == MediaKind::Video {
            self.request_keyframe(now, KeyframeReason::LossTooLarge);
        }
    }

    /// The buffer is full: drop everything before `new_head` (video: and wait for a keyframe).
    fn make_room(&mut self, now: Instant, new_head: i64) {
        let mut dropped_frames = 0;
        let mut last_ts = None;
        for s in self.head..new_head.min(self.newest + 1) {
            let slot = self.slot_mut(s);
            if slot.seq != s {
                continue;
            }
            match std::mem::replace(&mut slot.state, State::Done) {
                State::Present(p, _) => {
                    if last_ts != Some(p.extended_timestamp) {
                        dropped_frames += 1;
                        last_ts = Some(p.extended_timestamp);
                    }
                    self.held -= 1;
                    self.stats.packets_discarded += 1;
                }
                State::Padding(_) => self.held -= 1,
                other => slot.state = other,
            }
        }
        self.head = new_head;
        self.nack.drop_before(new_head);
        if self.config.kind == MediaKind::Video {
            self.stats.frames_dropped += dropped_frames;
            self.waiting_keyframe = true;
            self.request_keyframe(now, KeyframeReason::BufferFull);
        }
    }

    /// Asks for a keyframe, again only after [`Config::keyframe_request_interval`] without one.
    fn request_keyframe(&mut self, now: Instant, reason: KeyframeReason) {
        let interval = self.config.keyframe_request_interval;
        if self.keyframe_requested_at.is_none_or(|at| now >= at + interval) {
            self.keyframe_requested_at = Some(now);
            self.keyframe_request = Some(reason);
            self.stats.pli_count += 1;
        }
    }

    fn restart(&mut self) {
        for slot in &mut self.slots {
            *slot = EMPTY;
        }
        if self.started {
            self.lost_before_restart += self.newest - self.base + 1 - self.received_this_stream.cast_signed();
        }
        self.received_this_stream = 0;
        self.started = false;
        self.released_any = false;
        self.held = 0;
        self.seq_unwrap.reset();
        self.ts_unwrap.reset();
        self.nack.clear();
        self.waiting_keyframe = self.config.kind == MediaKind::Video;
        self.keyframe_requested_at = None;
        self.playout.reset();
        self.scan = ScanProgress::NONE;
        self.jitter.restart();
        self.stats.restarts += 1;
    }

    #[allow(clippy::cast_sign_loss)] // clamped to non-negative first
    fn adapt_delay(&mut self) {
        let wanted = Duration::from_nanos((self.jitter.jitter_seconds() * 4.0e9).clamp(0.0, 60.0e9) as u64);
        self.target_delay = wanted.clamp(self.config.min_delay, self.config.max_delay.max(self.config.min_delay));
    }

    /// When an audio packet with timestamp `ts` plays out.
    fn playout_at(&self, ts: i64) -> Option<Instant> {
        self.playout.instant(ts, self.target_delay)
    }

    /// The sequence numbers to NACK now (give-ups are processed too). The slice is valid until the next
    /// call; nothing is allocated once the internal list has grown.
    pub fn poll_nack(&mut self, now: Instant) -> &[u16] {
        self.nack_out.clear();
        let Self {
            nack,
            nack_out,
            slots,
            mask,
            stats,
            config,
            rtt,
            ..
        } = self;
        let mut gave_up = false;
        // a retransmission is expected one RTT after its NACK, give or take the same reordering margin
        let retry = *rtt + config.nack_delay;
        nack.poll(now, config.nack, config.max_nack_retries, retry, |due| match due {
            Due::Nack(seq) => {
                nack_out.push(seq.cast_unsigned() as u16);
                stats.nack_count += 1;
            }
            Due::GiveUp(seq) => {
                stats.nack_given_up += 1;
                slots[index(seq, *mask)] = Slot {
                    seq,
                    state: State::Lost,
                };
                gave_up = true;
            }
        });
        if gave_up && self.config.kind == MediaKind::Video {
            self.request_keyframe(now, KeyframeReason::PacketLost);
        }
        &self.nack_out
    }

    /// A pending keyframe request (send PLI): at most one per [`Config::keyframe_request_interval`] until a
    /// keyframe is released.
    pub fn poll_keyframe_request(&mut self) -> Option<KeyframeReason> {
        self.keyframe_request.take()
    }

    /// When to call back, and why.
    pub fn poll_timeout(&self) -> Option<(Instant, TimeoutReason)> {
        let mut next = self
            .nack
            .next_due(self.config.nack, self.config.max_nack_retries)
            .map(|(at, give_up)| {
                let reason = if give_up {
                    TimeoutReason::GiveUp
                } else {
                    TimeoutReason::Nack
                };
                (at, reason)
            });
        // the start wait matters only while the head is not a frame's start (once it is, the frame waits
        // for its missing packets through NACKs, and a passed deadline must not be reported again and again)
        if self.config.kind == MediaKind::Video
            && self.started
            && !self.released_any
            && !self.head_starts_frame()
            && let Some(deadline) = self.start_deadline
            && next.is_none_or(|(t, _)| deadline < t)
        {
            next = Some((deadline, TimeoutReason::StartWait));
        }
        if self.config.kind == MediaKind::Audio
            && let Some(at) = self.next_present(self.head).and_then(|s| self.playout_of(s))
            && next.is_none_or(|(t, _)| at < t)
        {
            next = Some((at, TimeoutReason::Playout));
        }
        next
    }

    /// True when the head holds a frame's first packet.
    fn head_starts_frame(&self) -> bool {
        let slot = self.slot(self.head);
        slot.seq == self.head && matches!(&slot.state, State::Present(_, b) if b.frame_start)
    }

    fn playout_of(&self, seq: i64) -> Option<Instant> {
        match &self.slot(seq).state {
            State::Present(p, _) => self.playout_at(p.extended_timestamp),
            _ => None,
        }
    }

    /// The first held sequence number at or after `from`.
    fn next_present(&self, from: i64) -> Option<i64> {
        (from..=self.newest).find(|&s| {
            let slot = self.slot(s);
            slot.seq == s && matches!(slot.state, State::Present(..))
        })
    }

    /// Marks `seq` done (released) or lost (never held), returning its packet if it was held.
    fn take(&mut self, seq: i64) -> Option<Packet> {
        let slot = self.slot_mut(seq);
        if slot.seq != seq {
            // never arrived: a late copy is too old, not a duplicate
            *slot = Slot {
                seq,
                state: State::Lost,
            };
            return None;
        }
        match std::mem::replace(&mut slot.state, State::Done) {
            State::Present(p, _) | State::Padding(p) => {
                self.held -= 1;
                Some(p)
            }
            State::Empty | State::Lost => {
                slot.state = State::Lost;
                None
            }
            State::Done => None,
        }
    }

    /// Releases the next audio packet whose playout time has come, or a concealment for a missing one.
    pub fn poll_audio(&mut self, now: Instant) -> Option<AudioOut> {
        self.skip_padding();
        if !self.started || self.head > self.newest {
            return None;
        }
        let head = self.head;
        let next = self.next_present(head)?;
        let at = self.playout_of(next)?;
        if now < at {
            return None;
        }
        self.head += 1;
        self.released_any = true;
        self.nack.drop_before(self.head);
        if next == head {
            let p = self.take(head)?;
            self.stats.jitter_buffer_delay += now.saturating_duration_since(p.arrival).as_secs_f64();
            self.stats.jitter_buffer_emitted_count += 1;
            return Some(AudioOut::Packet(p));
        }
        self.take(head);
        self.stats.concealment_events += 1;
        Some(AudioOut::Conceal {
            sequence_number: head.cast_unsigned() as u16,
            extended_sequence_number: head,
        })
    }

    /// Releases the next complete, decodable video frame in decode order.
    ///
    /// A frame is complete when every packet from its start to its end is held. A frame whose last packet
    /// ends a layer frame without the marker ([`Boundary::layer_end`]; a VP9 picture whose upper spatial
    /// layer was dropped) is complete once the next packet, opening a new timestamp, is held too: such a
    /// frame waits one packet longer. A packet given up makes
    /// the frame it belongs to and every later frame up to the next keyframe undecodable: they are dropped
    /// and a keyframe is requested.
    pub fn poll_frame(&mut self, now: Instant) -> Option<VideoFrame<'_>> {
        self.frame_out.clear();
        loop {
            self.skip_padding();
            if !self.started || self.head > self.newest {
                return None;
            }
            let head = self.head;
            let slot = self.slot(head);
            if slot.seq != head {
                return None;
            }
            match &slot.state {
                State::Present(p, b) if b.frame_start => {
                    let ts = p.extended_timestamp;
                    match self.scan_frame(head, ts) {
                        Scan::Wait => return None,
                        Scan::Broken(at) => self.drop_range(now, head, at),
                        Scan::Complete { end, keyframe } => {
                            self.stats.frames_received += 1;
                            if self.waiting_keyframe && !keyframe {
                                self.drop_range(now, head, end + 1);
                                continue;
                            }
                            return Some(self.release(now, head, end, ts, keyframe));
                        }
                    }
                }
                State::Empty => return None,
                // the stream's first packets may be late: do not give up on the first frame at once
                _ if !self.released_any && self.start_deadline.is_some_and(|d| now < d) => return None,
                _ => self.skip_broken(now),
            }
        }
    }

    fn scan_frame(&mut self, head: i64, ts: i64) -> Scan {
        let (mut s, mut keyframe, mut layer_end) = if self.scan.head == head {
            (self.scan.next, self.scan.keyframe, self.scan.layer_end)
        } else {
            (head, false, false)
        };
        loop {
            let slot = self.slot(s);
            if s > self.newest || slot.seq != s || matches!(slot.state, State::Empty) {
                self.scan = ScanProgress {
                    head,
                    next: s,
                    keyframe,
                    layer_end,
                };
                return Scan::Wait;
            }
            match &slot.state {
                State::Present(p, b) => {
                    if p.extended_timestamp != ts && layer_end {
                        // the frame ended at a layer frame's end without a marker (a VP9 picture whose
                        // upper spatial layer was never sent): the next timestamp closes it
                        return Scan::Complete { end: s - 1, keyframe };
                    }
                    if p.extended_timestamp != ts || (s != head && b.frame_start) {
                        // the frame ended without its end packet
                        return Scan::Broken(s);
                    }
                    layer_end = b.layer_end;
                    keyframe |= b.keyframe;
                    if b.frame_end {
                        return Scan::Complete { end: s, keyframe };
                    }
                }
                // padding is passed over (and released with the frame), whatever its timestamp
                State::Padding(_) => {}
                State::Lost | State::Done => return Scan::Broken(s + 1),
                State::Empty => return Scan::Wait, // checked above
            }
            s += 1;
        }
    }

    /// Drops `from..to` as one undecodable frame; later frames wait for a keyframe.
    fn drop_range(&mut self, now: Instant, from: i64, to: i64) {
        for s in from..to {
            self.take(s);
        }
        self.head = to;
        self.nack.drop_before(to);
        self.stats.frames_dropped += 1;
        self.released_any = true;
        let reason = if self.stats.frames_decodable == 0 {
            KeyframeReason::StreamStart
        } else {
            KeyframeReason::PacketLost
        };
        self.waiting_keyframe = true;
        self.request_keyframe(now, reason);
    }

    /// Moves the head past padding packets: between frames they belong to nothing. (A done slot at the head
    /// is padding passed over before a late packet moved the head back: everything else marked done lies
    /// behind the head.)
    fn skip_padding(&mut self) {
        while self.started && self.head <= self.newest {
            let slot = self.slot(self.head);
            if slot.seq != self.head || !matches!(slot.state, State::Padding(_) | State::Done) {
                break;
            }
            self.take(self.head);
            self.head += 1;
            self.nack.drop_before(self.head);
        }
    }

    /// The head is lost or in the middle of a frame: drop up to the next frame start we hold.
    fn skip_broken(&mut self, now: Instant) {
        let mut to = self.head;
        while to <= self.newest {
            let slot = self.slot(to);
            if slot.seq != to {
                break;
            }
            match &slot.state {
                State::Present(_, b) if b.frame_start => break,
                State::Empty => break,
                _ => to += 1,
            }
        }
        self.drop_range(now, self.head, to);
    }

    fn release(&mut self, now: Instant, head: i64, end: i64, ts: i64, keyframe: bool) -> VideoFrame<'_> {
        let mut first_arrival = now;
        for s in head..=end {
            if let Some(p) = self.take(s) {
                first_arrival = first_arrival.min(p.arrival);
                self.frame_out.push(p);
            }
        }
        self.head = end + 1;
        self.released_any = true;
        self.nack.drop_before(self.head);
        if keyframe {
            self.waiting_keyframe = false;
            self.keyframe_requested_at = None;
        }
        self.stats.frames_decodable += 1;
        self.stats.jitter_buffer_emitted_count += 1;
        self.stats.jitter_buffer_delay += now.saturating_duration_since(first_arrival).as_secs_f64();
        VideoFrame {
            timestamp: ts.cast_unsigned() as u32,
            extended_timestamp: ts,
            keyframe,
            packets: &self.frame_out,
        }
    }
}

/// A packet on probation (see [`Inserted::Probation`]).
#[derive(Debug, Clone)]
struct Probation {
    arrival: Instant,
    info: PacketInfo,
    payload: Bytes,
    boundary: Option<Boundary>,
}

/// Where a gap lies relative to the sequence numbers already listed as missing.
#[derive(Debug, Clone, Copy)]
enum Gap {
    /// Newer than every listed one (the usual case: a jump forward).
    AfterListed,
    /// Older than every listed one (reordering before the first packet seen).
    BeforeListed,
}

/// The ring slot of extended sequence number `seq`.
#[inline]
fn index(seq: i64, mask: i64) -> usize {
    // invariant: mask is non-negative, so the masked value is too
    (seq & mask).cast_unsigned() as usize
}

/// See [`JitterBuffer::scan`].
#[derive(Debug, Clone, Copy)]
struct ScanProgress {
    head: i64,
    next: i64,
    keyframe: bool,
    /// The packet before `next` ended a layer frame ([`Boundary::layer_end`]).
    layer_end: bool,
}

impl ScanProgress {
    const NONE: Self = Self {
        head: i64::MIN,
        next: i64::MIN,
        keyframe: false,
        layer_end: false,
    };
}

enum Scan {
    /// A packet of the frame has not arrived yet.
    Wait,
    /// The frame cannot complete: drop up to (not including) this sequence number.
    Broken(i64),
    /// All packets `head..=end` are held.
    Complete { end: i64, keyframe: bool },
}
