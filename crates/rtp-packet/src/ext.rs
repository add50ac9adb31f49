//! Typed header extensions used by WebRTC, and the id ↔ extension map negotiated with `a=extmap`.
//!
//! | type | URI | size |
//! |---|---|---|
//! | [`Mid`] | `urn:ietf:params:rtp-hdrext:sdes:mid` | 1..=255 |
//! | [`RtpStreamId`] | `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` | 1..=255 |
//! | [`RepairedRtpStreamId`] | `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id` | 1..=255 |
//! | [`AbsSendTime`] | `http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time` | 3 |
//! | [`TransportSequenceNumber`] | `http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01` | 2 |
//! | [`AudioLevel`] | `urn:ietf:params:rtp-hdrext:ssrc-audio-level` | 1 |
//! | [`VideoOrientation`] | `urn:3gpp:video-orientation` | 1 |
//! | [`PlayoutDelay`] | `http://www.webrtc.org/experiments/rtp-hdrext/playout-delay` | 3 |
//! | [`AbsCaptureTime`] | `http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time` | 8 or 16 |

use crate::error::ExtensionError;
use crate::packet::RtpPacket;

/// The header extensions this crate decodes into typed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ExtensionKind {
    /// [`Mid`].
    Mid,
    /// [`RtpStreamId`].
    RtpStreamId,
    /// [`RepairedRtpStreamId`].
    RepairedRtpStreamId,
    /// [`AbsSendTime`].
    AbsSendTime,
    /// [`TransportSequenceNumber`].
    TransportSequenceNumber,
    /// [`AudioLevel`].
    AudioLevel,
    /// [`VideoOrientation`].
    VideoOrientation,
    /// [`PlayoutDelay`].
    PlayoutDelay,
    /// [`AbsCaptureTime`].
    AbsCaptureTime,
}

impl ExtensionKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::Mid,
        Self::RtpStreamId,
        Self::RepairedRtpStreamId,
        Self::AbsSendTime,
        Self::TransportSequenceNumber,
        Self::AudioLevel,
        Self::VideoOrientation,
        Self::PlayoutDelay,
        Self::AbsCaptureTime,
    ];

    /// The URI used in `a=extmap`.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Mid => "urn:ietf:params:rtp-hdrext:sdes:mid",
            Self::RtpStreamId => "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            Self::RepairedRtpStreamId => "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            Self::AbsSendTime => "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            Self::TransportSequenceNumber => {
                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
            }
            Self::AudioLevel => "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            Self::VideoOrientation => "urn:3gpp:video-orientation",
            Self::PlayoutDelay => "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            Self::AbsCaptureTime => "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
        }
    }

    /// The kind with this URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.uri() == uri)
    }
}

/// A header extension value with a wire encoding.
pub trait HeaderExtension<'a>: Sized {
    /// Which extension this is.
    const KIND: ExtensionKind;
    /// Decodes the element data.
    fn decode(data: &'a [u8]) -> Result<Self, ExtensionError>;
    /// Bytes of element data the value encodes to.
    fn encoded_len(&self) -> usize;
    /// Writes the element data into `out`, which is exactly [`HeaderExtension::encoded_len`] bytes.
    fn encode(&self, out: &mut [u8]);
}

/// Negotiated ids for the typed extensions (from `a=extmap`), both ways: kind → id and id → kind.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtensionMap {
    ids: [u8; ExtensionKind::ALL.len()],
    kinds: [Option<ExtensionKind>; 256],
}

impl Default for ExtensionMap {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for ExtensionMap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl ExtensionMap {
    /// An empty map.
    pub const fn new() -> Self {
        Self {
            ids: [0; ExtensionKind::ALL.len()],
            kinds: [None; 256],
        }
    }

    /// Maps `id` (1..=255) to `kind`, replacing whatever either was mapped to before.
    pub fn insert(&mut self, id: u8, kind: ExtensionKind) -> Result<(), ExtensionError> {
        if id == 0 {
            return Err(ExtensionError::BadId(id));
        }
        self.remove_id(id);
        let old = self.ids[kind as usize];
        if old != 0 {
            self.kinds[old as usize] = None;
        }
        self.ids[kind as usize] = id;
        self.kinds[id as usize] = Some(kind);
        Ok(())
    }

    /// Maps `id` to the extension named by `uri`; an unknown URI is an error (and changes nothing).
    pub fn insert_uri(&mut self, id: u8, uri: &str) -> Result<ExtensionKind, ExtensionError> {
        let kind = ExtensionKind::from_uri(uri).ok_or(ExtensionError::UnknownUri)?;
        self.insert(id, kind)?;
        Ok(kind)
    }

    /// Unmaps `id`.
    pub fn remove_id(&mut self, id: u8) {
        if let Some(k) = self.kinds[id as usize].take() {
            self.ids[k as usize] = 0;
        }
    }

    /// The id negotiated for `kind`.
    #[inline]
    pub fn id_of(&self, kind: ExtensionKind) -> Option<u8> {
        match self.ids[kind as usize] {
            0 => None,
            id => Some(id),
        }
    }

    /// The kind mapped to `id`.
    #[inline]
    pub fn kind_of(&self, id: u8) -> Option<ExtensionKind> {
        self.kinds[id as usize]
    }

    /// The mapped `(id, kind)` pairs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, ExtensionKind)> + '_ {
        self.kinds
            .iter()
            .enumerate()
            .filter_map(|(id, k)| k.map(|k| (id as u8, k)))
    }
}

/// Every typed extension of one packet, decoded in a single pass over its elements.
///
/// A field is `None` when the extension is not mapped, not present, or malformed
/// (`malformed` counts the last case).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtensionValues<'a> {
    /// [`Mid`].
    pub mid: Option<Mid<'a>>,
    /// [`RtpStreamId`].
    pub rid: Option<RtpStreamId<'a>>,
    /// [`RepairedRtpStreamId`].
    pub repaired_rid: Option<RepairedRtpStreamId<'a>>,
    /// [`AbsSendTime`].
    pub abs_send_time: Option<AbsSendTime>,
    /// [`TransportSequenceNumber`].
    pub transport_seq: Option<TransportSequenceNumber>,
    /// [`AudioLevel`].
    pub audio_level: Option<AudioLevel>,
    /// [`VideoOrientation`].
    pub video_orientation: Option<VideoOrientation>,
    /// [`PlayoutDelay`].
    pub playout_delay: Option<PlayoutDelay>,
    /// [`AbsCaptureTime`].
    pub abs_capture_time: Option<AbsCaptureTime>,
    /// Elements with a mapped id whose data did not decode.
    pub malformed: u8,
}

impl<'a> ExtensionValues<'a> {
    /// Decodes every mapped extension of `packet`.
    ///
    /// Should a sender repeat an id (invalid, but seen), the first element counts and the others are ignored,
    /// as in [`RtpPacket::extension`] and [`RtpPacket::get`].
    pub fn decode<B: AsRef<[u8]>>(packet: &'a RtpPacket<B>, map: &ExtensionMap) -> Self {
        let mut v = Self::default();
        let mut seen = crate::extension::IdSet::default();
        for e in packet.extensions() {
            if !seen.insert(e.id) {
                continue;
            }
            let Some(kind) = map.kind_of(e.id) else { continue };
            let ok = match kind {
                ExtensionKind::Mid => put(&mut v.mid, e.data),
                ExtensionKind::RtpStreamId => put(&mut v.rid, e.data),
                ExtensionKind::RepairedRtpStreamId => put(&mut v.repaired_rid, e.data),
                ExtensionKind::AbsSendTime => put(&mut v.abs_send_time, e.data),
                ExtensionKind::TransportSequenceNumber => put(&mut v.transport_seq, e.data),
                ExtensionKind::AudioLevel => put(&mut v.audio_level, e.data),
                ExtensionKind::VideoOrientation => put(&mut v.video_orientation, e.data),
                ExtensionKind::PlayoutDelay => put(&mut v.playout_delay, e.data),
                ExtensionKind::AbsCaptureTime => put(&mut v.abs_capture_time, e.data),
            };
            if !ok {
                v.malformed = v.malformed.saturating_add(1);
            }
        }
        v
    }
}

fn put<'a, E: HeaderExtension<'a>>(slot: &mut Option<E>, data: &'a [u8]) -> bool {
    match E::decode(data) {
        Ok(e) => {
            *slot = Some(e);
            true
        }
        Err(_) => false,
    }
}

fn exact<const N: usize>(uri: &'static str, data: &[u8]) -> Result<[u8; N], ExtensionError> {
    data.try_into().map_err(|_| ExtensionError::WrongSize {
        uri,
        expected: N,
        got: data.len(),
    })
}

/// RFC 8843 / RFC 8851 identifiers are `token`s: visible ASCII except separators.
fn token<'a>(uri: &'static str, data: &'a [u8]) -> Result<&'a str, ExtensionError> {
    // Trailing NULs are tolerated (some senders pad string extensions).
    let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let s = &data[..end];
    let is_token_char = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`{|}~".contains(b);
    if s.is_empty() || !s.iter().all(is_token_char) {
        return Err(ExtensionError::InvalidValue { uri });
    }
    // invariant: every byte is ASCII, checked above.
    core::str::from_utf8(s).map_err(|_| ExtensionError::InvalidValue { uri })
}

macro_rules! string_extension {
    ($(#[$doc:meta])* $name:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(pub &'a str);

        impl<'a> HeaderExtension<'a> for $name<'a> {
            const KIND: ExtensionKind = ExtensionKind::$kind;
            fn decode(data: &'a [u8]) -> Result<Self, ExtensionError> {
                token(Self::KIND.uri(), data).map($name)
            }
            fn encoded_len(&self) -> usize {
                self.0.len()
            }
            fn encode(&self, out: &mut [u8]) {
                out.copy_from_slice(self.0.as_bytes());
            }
        }
    };
}

string_extension!(
    /// The media id (`a=mid`) of the stream (RFC 8843 §15).
    Mid, Mid
);
string_extension!(
    /// The RTP stream id (`a=rid`) of a simulcast layer (RFC 8852).
    RtpStreamId, RtpStreamId
);
string_extension!(
    /// The RTP stream id a repair (RTX/FEC) stream repairs (RFC 8852).
    RepairedRtpStreamId, RepairedRtpStreamId
);

/// Send time as 6.18 fixed-point seconds, 24 bits, wrapping every 64 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AbsSendTime(pub u32);

impl AbsSendTime {
    /// From a 64-bit NTP timestamp (32.32): the middle 24 bits.
    pub const fn from_ntp(ntp: u64) -> Self {
        Self(((ntp >> 14) & 0x00FF_FFFF) as u32)
    }

    /// From a duration since any epoch (only the time modulo 64 s survives).
    pub fn from_duration(d: core::time::Duration) -> Self {
        let units = (d.as_secs() << 18) + ((u64::from(d.subsec_nanos()) << 18) / 1_000_000_000);
        Self((units & 0x00FF_FFFF) as u32)
    }

    /// The value as a duration within the 64 s window.
    pub fn to_duration(self) -> core::time::Duration {
        let nanos = (u64::from(self.0) * 1_000_000_000) >> 18;
        core::time::Duration::from_nanos(nanos)
    }
}

impl HeaderExtension<'_> for AbsSendTime {
    const KIND: ExtensionKind = ExtensionKind::AbsSendTime;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        let b: [u8; 3] = exact(Self::KIND.uri(), data)?;
        Ok(Self(u32::from_be_bytes([0, b[0], b[1], b[2]])))
    }
    fn encoded_len(&self) -> usize {
        3
    }
    fn encode(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.0.to_be_bytes()[1..]);
    }
}

/// The transport-wide sequence number used for congestion-control feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportSequenceNumber(pub u16);

impl HeaderExtension<'_> for TransportSequenceNumber {
    const KIND: ExtensionKind = ExtensionKind::TransportSequenceNumber;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        exact(Self::KIND.uri(), data).map(|b| Self(u16::from_be_bytes(b)))
    }
    fn encoded_len(&self) -> usize {
        2
    }
    fn encode(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.0.to_be_bytes());
    }
}

/// Client-to-mixer audio level (RFC 6464): a voice-activity flag and the level in -dBov (0 = loudest,
/// 127 = silence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AudioLevel {
    /// The V flag: the encoder believes the packet holds voice.
    pub voice: bool,
    /// Level in -dBov, 0..=127.
    pub level: u8,
}

impl AudioLevel {
    /// The level as the linear 0.0..=1.0 value W3C `audioLevel` stats use (RFC 6464 → dBov → amplitude).
    pub fn linear(self) -> f64 {
        10f64.powf(-f64::from(self.level) / 20.0)
    }
}

impl HeaderExtension<'_> for AudioLevel {
    const KIND: ExtensionKind = ExtensionKind::AudioLevel;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        let [b] = exact::<1>(Self::KIND.uri(), data)?;
        Ok(Self {
            voice: b & 0x80 != 0,
            level: b & 0x7F,
        })
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn encode(&self, out: &mut [u8]) {
        out[0] = (u8::from(self.voice) << 7) | (self.level & 0x7F);
    }
}

/// Coordination of video orientation (3GPP TS 26.114 §7.4.5): camera, flip and rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VideoOrientation {
    /// C: the back-facing camera captured the frame.
    pub back_camera: bool,
    /// F: the frame is horizontally flipped.
    pub flip: bool,
    /// R1R0: clockwise rotation in quarter turns (0..=3, i.e. 0°, 90°, 180°, 270°).
    pub rotation: u8,
}

impl VideoOrientation {
    /// The rotation in degrees.
    pub const fn degrees(self) -> u16 {
        (self.rotation as u16 & 3) * 90
    }
}

impl HeaderExtension<'_> for VideoOrientation {
    const KIND: ExtensionKind = ExtensionKind::VideoOrientation;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        let [b] = exact::<1>(Self::KIND.uri(), data)?;
        Ok(Self {
            back_camera: b & 0x08 != 0,
            flip: b & 0x04 != 0,
            rotation: b & 0x03,
        })
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn encode(&self, out: &mut [u8]) {
        out[0] = (u8::from(self.back_camera) << 3) | (u8::from(self.flip) << 2) | (self.rotation & 3);
    }
}

/// The playout delay the sender wants, as min/max in 10 ms units (12 bits each, up to 40.95 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlayoutDelay {
    /// Minimum delay in 10 ms units.
    pub min: u16,
    /// Maximum delay in 10 ms units.
    pub max: u16,
}

impl PlayoutDelay {
    /// The minimum as a duration.
    pub fn min_duration(self) -> core::time::Duration {
        core::time::Duration::from_millis(u64::from(self.min) * 10)
    }

    /// The maximum as a duration.
    pub fn max_duration(self) -> core::time::Duration {
        core::time::Duration::from_millis(u64::from(self.max) * 10)
    }
}

impl HeaderExtension<'_> for PlayoutDelay {
    const KIND: ExtensionKind = ExtensionKind::PlayoutDelay;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        let b: [u8; 3] = exact(Self::KIND.uri(), data)?;
        Ok(Self {
            min: (u16::from(b[0]) << 4) | u16::from(b[1] >> 4),
            max: (u16::from(b[1] & 0x0F) << 8) | u16::from(b[2]),
        })
    }
    fn encoded_len(&self) -> usize {
        3
    }
    fn encode(&self, out: &mut [u8]) {
        let (min, max) = (self.min.min(0xFFF), self.max.min(0xFFF));
        out[0] = (min >> 4) as u8;
        out[1] = ((min & 0x0F) << 4) as u8 | (max >> 8) as u8;
        out[2] = max as u8;
    }
}

/// Absolute capture time: the NTP (32.32) time the first sample was captured, and optionally the estimated
/// offset (signed 32.32) from the sender's clock to the capturer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AbsCaptureTime {
    /// Capture time, 64-bit NTP format.
    pub capture_ntp: u64,
    /// Estimated capture clock offset, signed Q32.32 seconds.
    pub clock_offset: Option<i64>,
}

impl HeaderExtension<'_> for AbsCaptureTime {
    const KIND: ExtensionKind = ExtensionKind::AbsCaptureTime;
    fn decode(data: &[u8]) -> Result<Self, ExtensionError> {
        let word = |s: &[u8]| {
            let mut b = [0u8; 8];
            b.copy_from_slice(s);
            u64::from_be_bytes(b)
        };
        match data.len() {
            8 => Ok(Self {
                capture_ntp: word(data),
                clock_offset: None,
            }),
            16 => Ok(Self {
                capture_ntp: word(&data[..8]),
                clock_offset: Some(word(&data[8..]).cast_signed()),
            }),
            got => Err(ExtensionError::WrongSize {
                uri: Self::KIND.uri(),
                expected: 8,
                got,
            }),
        }
    }
    fn encoded_len(&self) -> usize {
        if self.clock_offset.is_some() { 16 } else { 8 }
    }
    fn encode(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.capture_ntp.to_be_bytes());
        if let Some(o) = self.clock_offset {
            out[8..16].copy_from_slice(&o.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<'a, E: HeaderExtension<'a> + PartialEq + core::fmt::Debug>(e: &E, buf: &'a mut [u8]) {
        let n = e.encoded_len();
        e.encode(&mut buf[..n]);
        let again = E::decode(&buf[..n]).unwrap();
        assert_eq!(&again, e);
    }

    #[test]
    fn rfc6464_audio_level() {
        // RFC 6464 §3: V=1, level 0x7F is silence; a byte of 0x85 is voice at -5 dBov.
        assert_eq!(
            AudioLevel::decode(&[0x85]).unwrap(),
            AudioLevel { voice: true, level: 5 }
        );
        assert_eq!(
            AudioLevel::decode(&[0x7F]).unwrap(),
            AudioLevel {
                voice: false,
                level: 127
            }
        );
        assert!(AudioLevel::decode(&[1, 2]).is_err());
        assert!((AudioLevel { voice: false, level: 0 }.linear() - 1.0).abs() < 1e-12);
        assert!(
            (AudioLevel {
                voice: false,
                level: 20
            }
            .linear()
                - 0.1)
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn abs_send_time_is_middle_24_bits_of_ntp() {
        // 1.5 s in NTP 32.32 → 1.5 * 2^18 in 6.18.
        let ntp = (1u64 << 32) | (1u64 << 31);
        assert_eq!(AbsSendTime::from_ntp(ntp).0, 3 << 17);
        assert_eq!(
            AbsSendTime::from_duration(core::time::Duration::from_millis(1500)).0,
            3 << 17
        );
        assert_eq!(
            AbsSendTime(3 << 17).to_duration(),
            core::time::Duration::from_millis(1500)
        );
        // Wraps every 64 s.
        assert_eq!(
            AbsSendTime::from_duration(core::time::Duration::from_secs(65)).0,
            1 << 18
        );
        assert_eq!(AbsSendTime::decode(&[0x12, 0x34, 0x56]).unwrap().0, 0x12_3456);
    }

    #[test]
    fn playout_delay_packs_12_bit_fields() {
        let p = PlayoutDelay::decode(&[0x01, 0x23, 0x45]).unwrap();
        assert_eq!(p, PlayoutDelay { min: 0x012, max: 0x345 });
        assert_eq!(p.min_duration(), core::time::Duration::from_millis(180));
        let mut b = [0; 3];
        round_trip(&p, &mut b);
    }

    #[test]
    fn video_orientation_bits() {
        let v = VideoOrientation::decode(&[0x0E]).unwrap();
        assert_eq!(
            v,
            VideoOrientation {
                back_camera: true,
                flip: true,
                rotation: 2
            }
        );
        assert_eq!(v.degrees(), 180);
    }

    #[test]
    fn strings_are_tokens() {
        assert_eq!(Mid::decode(b"0").unwrap(), Mid("0"));
        assert_eq!(Mid::decode(b"audio\0\0").unwrap(), Mid("audio"));
        assert!(Mid::decode(b"").is_err());
        assert!(Mid::decode(b"a b").is_err());
        assert!(RtpStreamId::decode(&[0xFF]).is_err());
        assert_eq!(RepairedRtpStreamId::decode(b"hi").unwrap().0, "hi");
    }

    #[test]
    fn abs_capture_time_both_sizes() {
        let mut b = [0; 16];
        round_trip(
            &AbsCaptureTime {
                capture_ntp: 0x0123_4567_89AB_CDEF,
                clock_offset: Some(-5),
            },
            &mut b,
        );
        let mut b = [0; 16];
        round_trip(
            &AbsCaptureTime {
                capture_ntp: 7,
                clock_offset: None,
            },
            &mut b,
        );
        assert!(AbsCaptureTime::decode(&[0; 9]).is_err());
    }

    #[test]
    fn map_is_kept_consistent_both_ways() {
        let mut m = ExtensionMap::new();
        m.insert(3, ExtensionKind::Mid).unwrap();
        m.insert_uri(5, ExtensionKind::AbsSendTime.uri()).unwrap();
        assert_eq!(m.id_of(ExtensionKind::Mid), Some(3));
        // Remapping the kind frees the old id; reusing an id unmaps the old kind.
        m.insert(4, ExtensionKind::Mid).unwrap();
        assert_eq!(m.kind_of(3), None);
        m.insert(5, ExtensionKind::TransportSequenceNumber).unwrap();
        assert_eq!(m.id_of(ExtensionKind::AbsSendTime), None);
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [(4, ExtensionKind::Mid), (5, ExtensionKind::TransportSequenceNumber)]
        );
        assert_eq!(m.insert_uri(6, "urn:x"), Err(ExtensionError::UnknownUri));
        assert_eq!(m.insert(0, ExtensionKind::Mid), Err(ExtensionError::BadId(0)));
    }
}
