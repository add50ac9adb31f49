//! The traits every codec implements: [`Payloader`], [`Depayloader`] and [`FrameBoundary`], and the
//! reusable buffers they work in.

use ortc_rtp_packet::RtpPacket;

use crate::CodecError;

/// The default payload budget: what fits a 1500-byte path MTU after IP/UDP, SRTP, RTP header and
/// extensions (the value libwebrtc and most SFUs use).
pub const DEFAULT_MAX_PAYLOAD: usize = 1200;

/// Default bound on a reassembled frame (8 MiB): a depayloader drops a frame that grows past it.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 8 << 20;

/// One RTP payload produced by a [`Payloader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload<'a> {
    /// The RTP payload bytes (descriptor + codec data).
    pub data: &'a [u8],
    /// The marker bit the payloader asks for: last packet of a video frame; always `false` for audio
    /// (marking a talkspurt start is the sender's decision).
    pub marker: bool,
    /// Added to the frame's RTP timestamp for this packet (non-zero only when an audio buffer is split
    /// into several packets).
    pub timestamp_offset: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    end: usize,
    marker: bool,
    timestamp_offset: u32,
}

/// The payloads of one frame, written back to back into one reusable buffer.
///
/// Keep one per stream and hand it to every [`Payloader::payload`] call: after the first frames it
/// stops allocating.
#[derive(Debug, Clone, Default)]
pub struct Payloads {
    data: Vec<u8>,
    packets: Vec<Entry>,
}

impl Payloads {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of payloads.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// True when there are no payloads.
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Total bytes over all payloads.
    pub fn total_len(&self) -> usize {
        self.data.len()
    }

    /// Payload `i`.
    pub fn get(&self, i: usize) -> Option<Payload<'_>> {
        let e = self.packets.get(i)?;
        let start = i.checked_sub(1).map_or(0, |p| self.packets[p].end);
        Some(Payload {
            data: &self.data[start..e.end],
            marker: e.marker,
            timestamp_offset: e.timestamp_offset,
        })
    }

    /// The payloads in sending order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Payload<'_>> + '_ {
        let mut start = 0;
        self.packets.iter().map(move |e| {
            let data = &self.data[start..e.end];
            start = e.end;
            Payload {
                data,
                marker: e.marker,
                timestamp_offset: e.timestamp_offset,
            }
        })
    }

    /// Removes every payload, keeping the capacity.
    pub fn clear(&mut self) {
        self.data.clear();
        self.packets.clear();
    }

    /// Appends bytes to the payload being built.
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
    }

    /// Sets the marker bit of the last payload.
    pub(crate) fn mark_last(&mut self) {
        if let Some(e) = self.packets.last_mut() {
            e.marker = true;
        }
    }

    /// Closes the payload being built.
    pub(crate) fn finish(&mut self, marker: bool, timestamp_offset: u32) {
        self.packets.push(Entry {
            end: self.data.len(),
            marker,
            timestamp_offset,
        });
    }
}

/// Splits encoded frames into RTP payloads.
pub trait Payloader {
    /// Clears `out` and fills it with the payloads of `frame`, none longer than `max_payload` bytes.
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError>;
}

/// What one packet says about frame boundaries, read from its payload alone.
///
/// This is what a jitter buffer needs to assemble frames without knowing the codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(clippy::struct_excessive_bools)] // one field per flag a packet carries
pub struct Boundary {
    /// The packet begins a frame (VP8: S bit with partition 0; H.264: first NAL unit of an access unit).
    pub frame_start: bool,
    /// The packet ends a frame (video: the RTP marker bit; audio: every packet).
    pub frame_end: bool,
    /// The packet ends a layer frame (VP9: E bit); without layers, the same as `frame_end`. When the next
    /// packet in sequence carries a new timestamp, the frame ended here even without `frame_end`: a VP9
    /// sender whose encoder drops an upper spatial layer after the lower ones went out never sets the
    /// marker on that picture.
    pub layer_end: bool,
    /// The packet belongs to a keyframe (VP8: P bit clear; H.264: IDR or SPS; AV1: N bit; audio: always).
    pub keyframe: bool,
}

/// Reads frame boundaries from single packets.
pub trait FrameBoundary {
    /// Inspects one packet's payload and marker bit.
    fn boundary(&self, payload: &[u8], marker: bool) -> Result<Boundary, CodecError>;
}

/// The parts of an RTP packet a depayloader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadPacket<'a> {
    /// RTP sequence number.
    pub sequence_number: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// RTP marker bit.
    pub marker: bool,
    /// RTP payload (without padding).
    pub payload: &'a [u8],
}

impl<'a, B: AsRef<[u8]>> From<&'a RtpPacket<B>> for PayloadPacket<'a> {
    fn from(p: &'a RtpPacket<B>) -> Self {
        Self {
            sequence_number: p.sequence_number(),
            timestamp: p.timestamp(),
            marker: p.marker(),
            payload: p.payload(),
        }
    }
}

/// A reassembled frame, borrowed from the depayloader's reusable buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The encoded frame (H.264: Annex B with 4-byte start codes; AV1: OBUs with size fields).
    pub data: &'a [u8],
    /// RTP timestamp shared by the frame's packets.
    pub timestamp: u32,
    /// True for a keyframe (decodable on its own).
    pub keyframe: bool,
}

impl Frame<'_> {
    /// The frame's bytes as an owned [`bytes::Bytes`] (one copy), to hand to a decoder on another task.
    pub fn to_bytes(&self) -> bytes::Bytes {
        bytes::Bytes::copy_from_slice(self.data)
    }
}

/// A frame that was dropped because some of its packets never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncompleteFrame {
    /// RTP timestamp of the dropped frame.
    pub timestamp: u32,
}

/// The outcome of feeding one packet to a [`Depayloader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Depayloaded<'a> {
    /// A frame dropped because of missing packets, detected at this packet (at most one per packet; a loss
    /// that takes both the end of one frame and the start of the next is reported once, for the older).
    pub incomplete: Option<IncompleteFrame>,
    /// A frame that ended at the packet before this one without a marker, known complete only now that
    /// this packet opened a new timestamp (see [`Boundary::layer_end`]; VP9 only). It comes before
    /// `frame`.
    pub previous: Option<Frame<'a>>,
    /// A frame this packet completed.
    pub frame: Option<Frame<'a>>,
}

/// Reassembles frames from RTP packets given in sequence order (reordering is the jitter buffer's job).
///
/// A gap in sequence numbers inside a frame, a frame whose start never arrived, or a frame that ends
/// without its marker packet is reported as [`IncompleteFrame`] and its bytes are dropped: a depayloader
/// never returns a frame with a hole in it. The one frame that may end without a marker is a layered one
/// whose last packet ended a layer frame ([`Boundary::layer_end`]) and is followed, without a gap, by a
/// new timestamp: it comes out as [`Depayloaded::previous`] (or from [`Depayloader::finish`]). A
/// padding-only packet (empty payload) only keeps the sequence count; its timestamp is ignored. A malformed
/// payload, or one that would make a frame too large, is an `Err` and the frame it belonged to is dropped;
/// a frame that such a packet completed by opening a new timestamp is held and comes out as `previous` of
/// the next call.
pub trait Depayloader: FrameBoundary {
    /// Feeds the next packet.
    fn push(&mut self, packet: PayloadPacket<'_>) -> Result<Depayloaded<'_>, CodecError>;

    /// Drops any partial frame and forgets the last sequence number.
    fn reset(&mut self);

    /// Says that the frame in progress has ended (a jitter buffer released it, or the stream paused): it
    /// comes out as `frame` if its last packet ended a layer frame (a VP9 picture sent without a marker,
    /// which otherwise completes only when the next timestamp starts), and is reported incomplete
    /// otherwise. A frame held back by an error (see the type's docs) comes out as `previous`.
    fn finish(&mut self) -> Depayloaded<'_>;

    /// The bytes of the frame the last [`Depayloader::push`] or [`Depayloader::finish`] returned as
    /// `frame`, while nothing else has been pushed: a caller that could not keep the returned borrow hands
    /// the frame out from here instead of copying it. `None` when the depayloader keeps no frame buffer.
    fn last_frame(&self) -> Option<&[u8]> {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// A frame in progress; `layer_end` is the last packet's [`Boundary::layer_end`].
    Active {
        timestamp: u32,
        keyframe: bool,
        layer_end: bool,
    },
    Skipping {
        timestamp: u32,
    },
}

/// Sequence/timestamp bookkeeping shared by the depayloaders; codecs only append bytes.
#[derive(Debug, Clone)]
pub(crate) struct Assembler {
    buf: Vec<u8>,
    /// A frame completed by the start of the next one (swapped with `buf`, keeping both allocations).
    previous: Vec<u8>,
    /// Timestamp and keyframe flag of the frame in `previous`, when an error kept it from being returned.
    pending: Option<(u32, bool)>,
    /// `buf` holds the frame last returned as `frame`.
    emitted: bool,
    state: State,
    last_seq: Option<u16>,
    max_frame: usize,
}

impl Default for Assembler {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME_SIZE)
    }
}

impl Assembler {
    pub(crate) fn new(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            previous: Vec::new(),
            pending: None,
            emitted: false,
            state: State::Idle,
            last_seq: None,
            max_frame,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.buf.clear();
        self.previous.clear();
        self.pending = None;
        self.emitted = false;
        self.state = State::Idle;
        self.last_seq = None;
    }

    /// See [`Depayloader::last_frame`].
    pub(crate) fn last_frame(&self) -> Option<&[u8]> {
        self.emitted.then_some(&self.buf[..])
    }

    /// See [`Depayloader::finish`].
    pub(crate) fn finish(&mut self) -> Depayloaded<'_> {
        let previous = self.pending.take();
        let mut out = Depayloaded::default();
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Active {
                timestamp,
                keyframe,
                layer_end: true,
            } => {
                self.emitted = true;
                out.frame = Some(Frame {
                    data: &self.buf,
                    timestamp,
                    keyframe,
                });
            }
            State::Active { timestamp, .. } => out.incomplete = Some(IncompleteFrame { timestamp }),
            State::Idle | State::Skipping { .. } => {}
        }
        out.previous = previous.map(|(timestamp, keyframe)| Frame {
            data: &self.previous,
            timestamp,
            keyframe,
        });
        out
    }

    /// Runs a packet whose codec data follows a payload descriptor (VP8, VP9): `parsed` is the codec's
    /// boundary and descriptor length; the bytes after the descriptor are appended.
    pub(crate) fn push_after_descriptor(
        &mut self,
        p: &PayloadPacket<'_>,
        parsed: Result<(Boundary, usize), CodecError>,
    ) -> Result<Depayloaded<'_>, CodecError> {
        let skip = parsed.as_ref().map_or(0, |(_, len)| *len);
        let payload = p.payload;
        self.push(p, parsed.map(|(b, _)| b), |buf, _| {
            buf.extend_from_slice(&payload[skip..]);
            Ok(())
        })
    }

    /// Settles the frame in progress before packet `p` is added: it ended (at a layer end, `p` opening a
    /// new timestamp right after it: returned as timestamp and keyframe flag, its bytes moved to
    /// `previous`) or it lost packets (returned as incomplete).
    /// A padding-only packet (`padding`) counts for sequence continuity only: its timestamp is ignored.
    fn close(&mut self, p: &PayloadPacket<'_>, padding: bool) -> (Option<IncompleteFrame>, Option<(u32, bool)>) {
        let contiguous = self.last_seq.is_none_or(|s| p.sequence_number == s.wrapping_add(1));
        self.last_seq = Some(p.sequence_number);
        let mut incomplete = None;
        let mut previous = None;
        match self.state {
            State::Active {
                timestamp,
                keyframe,
                layer_end: true,
            } if contiguous && !padding && timestamp != p.timestamp => {
                // the frame ended at its last packet, the end of a layer frame, without a marker
                std::mem::swap(&mut self.buf, &mut self.previous);
                previous = Some((timestamp, keyframe));
                self.state = State::Idle;
            }
            State::Active { timestamp, .. } if !contiguous || (!padding && timestamp != p.timestamp) => {
                incomplete = Some(IncompleteFrame { timestamp });
                // the rest of a frame that lost a middle packet is skipped, never restarted
                self.state = if padding || timestamp == p.timestamp {
                    State::Skipping { timestamp }
                } else {
                    State::Idle
                };
            }
            State::Skipping { timestamp } if !padding && timestamp != p.timestamp => self.state = State::Idle,
            _ => {}
        }
        (incomplete, previous)
    }

    /// Runs one packet through the frame state machine. `boundary` is the codec's reading of the packet;
    /// `append(buf, new_frame)` writes its codec data into the frame buffer when the packet is accepted.
    pub(crate) fn push(
        &mut self,
        p: &PayloadPacket<'_>,
        boundary: Result<Boundary, CodecError>,
        append: impl FnOnce(&mut Vec<u8>, bool) -> Result<(), CodecError>,
    ) -> Result<Depayloaded<'_>, CodecError> {
        self.emitted = false;
        let padding = p.payload.is_empty();
        let (mut incomplete, closed) = self.close(p, padding);
        // (a pending frame implies the last call failed, leaving nothing active for `close` to end)
        let previous = self.pending.take().or(closed);
        if padding {
            // a padding-only packet keeps the sequence count and carries nothing
            return Ok(Depayloaded {
                incomplete,
                previous: previous.map(|(timestamp, keyframe)| Frame {
                    data: &self.previous,
                    timestamp,
                    keyframe,
                }),
                frame: None,
            });
        }
        let b = match boundary {
            Ok(b) => b,
            Err(e) => {
                self.buf.clear();
                self.state = State::Skipping { timestamp: p.timestamp };
                self.pending = previous;
                return Err(e);
            }
        };
        let mut new_frame = false;
        match self.state {
            State::Idle if b.frame_start => {
                self.buf.clear();
                self.state = State::Active {
                    timestamp: p.timestamp,
                    keyframe: b.keyframe,
                    layer_end: false,
                };
                new_frame = true;
            }
            State::Idle => {
                // invariant: a middle packet with nothing in progress means this frame's start was lost
                incomplete.get_or_insert(IncompleteFrame { timestamp: p.timestamp });
                self.state = State::Skipping { timestamp: p.timestamp };
            }
            State::Active {
                timestamp, keyframe, ..
            } => {
                self.state = State::Active {
                    timestamp,
                    keyframe: keyframe || b.keyframe,
                    layer_end: false,
                };
            }
            State::Skipping { .. } => {}
        }
        let previous = previous.map(|(timestamp, keyframe)| Frame {
            data: &self.previous,
            timestamp,
            keyframe,
        });
        let State::Active {
            timestamp, keyframe, ..
        } = self.state
        else {
            return Ok(Depayloaded {
                incomplete,
                previous,
                frame: None,
            });
        };
        let mut appended = append(&mut self.buf, new_frame);
        if appended.is_ok() && self.buf.len() > self.max_frame {
            appended = Err(CodecError::FrameTooLarge { limit: self.max_frame });
        }
        if let Err(e) = appended {
            self.buf.clear();
            self.state = State::Skipping { timestamp };
            self.pending = previous.map(|f| (f.timestamp, f.keyframe));
            return Err(e);
        }
        if !b.frame_end {
            self.state = State::Active {
                timestamp,
                keyframe,
                layer_end: b.layer_end,
            };
            return Ok(Depayloaded {
                incomplete,
                previous,
                frame: None,
            });
        }
        self.state = State::Idle;
        self.emitted = true;
        Ok(Depayloaded {
            incomplete,
            previous,
            frame: Some(Frame {
                data: &self.buf,
                timestamp,
                keyframe,
            }),
        })
    }
}

/// Depayloader for audio codecs that put exactly one frame in every RTP packet (Opus, G.711, G.722): every
/// non-empty packet is a complete frame and a keyframe; an empty payload (padding only) is no frame and
/// no error, though [`FrameBoundary::boundary`] calls it [`CodecError::EmptyPayload`].
#[derive(Debug, Clone, Default)]
pub struct PacketPerFrameDepayloader {
    asm: Assembler,
}

impl PacketPerFrameDepayloader {
    /// A depayloader.
    pub fn new() -> Self {
        Self::default()
    }
}

impl FrameBoundary for PacketPerFrameDepayloader {
    fn boundary(&self, payload: &[u8], _marker: bool) -> Result<Boundary, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        Ok(Boundary {
            frame_start: true,
            frame_end: true,
            layer_end: true,
            keyframe: true,
        })
    }
}

impl Depayloader for PacketPerFrameDepayloader {
    fn push(&mut self, packet: PayloadPacket<'_>) -> Result<Depayloaded<'_>, CodecError> {
        let b = self.boundary(packet.payload, packet.marker);
        self.asm.push(&packet, b, |buf, _| {
            buf.extend_from_slice(packet.payload);
            Ok(())
        })
    }

    fn reset(&mut self) {
        self.asm.reset();
    }

    fn finish(&mut self) -> Depayloaded<'_> {
        self.asm.finish()
    }

    fn last_frame(&self) -> Option<&[u8]> {
        self.asm.last_frame()
    }
}
