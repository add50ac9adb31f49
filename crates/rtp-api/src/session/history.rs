//! The packets a sender keeps for retransmission: a ring of reusable buffers, bounded by count and age.

use std::time::{Duration, Instant};

/// One sent packet.
#[derive(Debug, Clone)]
pub(crate) struct SentPacket {
    /// The packet as written (plaintext RTP, without the transport-wide number of any transmission).
    pub(crate) plain: Vec<u8>,
    /// The protected bytes of its first transmission, kept when retransmissions resend them (no RTX).
    pub(crate) protected: Vec<u8>,
    /// The sequence number; `None` for a slot not used yet.
    pub(crate) seq: Option<u16>,
    /// When it was first sent (`None`: queued, not sent yet).
    pub(crate) first_sent: Option<Instant>,
    /// When it was last retransmitted.
    pub(crate) last_resent: Option<Instant>,
    /// Where the transport-wide sequence number's two bytes are in `plain`.
    pub(crate) transport_cc_at: Option<usize>,
    /// Where the abs-send-time's three bytes are in `plain`.
    pub(crate) abs_send_time_at: Option<usize>,
    /// Bytes of header in `plain`.
    pub(crate) header_len: usize,
}

impl SentPacket {
    fn empty() -> Self {
        Self {
            plain: Vec::new(),
            protected: Vec::new(),
            seq: None,
            first_sent: None,
            last_resent: None,
            transport_cc_at: None,
            abs_send_time_at: None,
            header_len: 0,
        }
    }
}

/// A ring of the last `capacity` packets of one stream, indexed by sequence number.
///
/// Buffers are reused: once every slot has held a packet, storing one allocates nothing.
#[derive(Debug)]
pub(crate) struct History {
    slots: Vec<SentPacket>,
    mask: usize,
    max_age: Duration,
}

impl History {
    /// A history of `capacity` packets (rounded up to a power of two), each kept at most `max_age`.
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        let capacity = capacity.max(1).next_power_of_two();
        Self {
            slots: (0..capacity).map(|_| SentPacket::empty()).collect(),
            mask: capacity - 1,
            max_age,
        }
    }

    /// The slot for `seq`, cleared for a new packet: the packet it held is forgotten.
    pub(crate) fn store(&mut self, seq: u16) -> &mut SentPacket {
        let slot = &mut self.slots[usize::from(seq) & self.mask];
        slot.plain.clear();
        slot.protected.clear();
        slot.seq = Some(seq);
        slot.first_sent = None;
        slot.last_resent = None;
        slot.transport_cc_at = None;
        slot.abs_send_time_at = None;
        slot.header_len = 0;
        slot
    }

    /// The packet with `seq`, if still held.
    pub(crate) fn get(&self, seq: u16) -> Option<&SentPacket> {
        let slot = &self.slots[usize::from(seq) & self.mask];
        (slot.seq == Some(seq)).then_some(slot)
    }

    /// The packet with `seq`, if still held, for updating.
    pub(crate) fn get_mut(&mut self, seq: u16) -> Option<&mut SentPacket> {
        let slot = &mut self.slots[usize::from(seq) & self.mask];
        (slot.seq == Some(seq)).then_some(slot)
    }

    /// Whether the packet with `seq` may be retransmitted at `now`: held, sent, younger than the age limit,
    /// and not retransmitted within the last `min_interval` (one round trip: a second NACK for the same loss
    /// before the first retransmission could have arrived asks for nothing new).
    pub(crate) fn resendable(&self, seq: u16, now: Instant, min_interval: Duration) -> Resend {
        let Some(p) = self.get(seq) else {
            return Resend::Unknown;
        };
        let Some(sent) = p.first_sent else {
            // Still queued for its first transmission: that one answers the NACK.
            return Resend::Pending;
        };
        if now.saturating_duration_since(sent) > self.max_age {
            return Resend::TooOld;
        }
        if p.last_resent
            .is_some_and(|t| now.saturating_duration_since(t) < min_interval)
        {
            return Resend::TooSoon;
        }
        Resend::Yes
    }
}

/// Whether a packet a NACK asked for can be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Yes.
    Yes,
    /// Not in the history (never sent, or overwritten).
    Unknown,
    /// Not sent yet.
    Pending,
    /// Older than the history keeps packets for.
    TooOld,
    /// Retransmitted less than one round trip ago.
    TooSoon,
}
