//! G.711 (ITU-T G.711): μ-law and A-law sample coding, and the RTP payloader/depayloader for PCMU/PCMA
//! (RFC 3551: one byte per sample at 8 kHz, 20 ms = 160 samples per packet by default).
//!
//! Samples are 16-bit linear PCM; the codecs use its top 14 (μ-law) or 13 (A-law) bits, as the
//! standard's reference implementation does.

use crate::CodecError;
use crate::media::{AudioDecoder, AudioEncoder, AudioFrame};
use crate::payload::{Payloader, Payloads};
use crate::pcm::{Concealer, FromCodec, ToCodec};

/// G.711 clock rate.
pub const G711_CLOCK_RATE: u32 = 8000;
/// Samples in 20 ms at 8 kHz: the default packet size.
pub const G711_SAMPLES_PER_20MS: usize = 160;

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32_635;

/// Segment (exponent) of a magnitude: the number of bits above `shift` it needs, capped at 7.
fn segment(mag: u32, shift: u32) -> u8 {
    let v = mag >> shift;
    (u32::BITS - v.leading_zeros()).min(7) as u8
}

/// Encodes one linear sample as μ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    let s = i32::from(sample);
    let (mask, mag) = if s < 0 { (0x7F_u8, -s) } else { (0xFF_u8, s) };
    let mag = (mag.min(ULAW_CLIP) + ULAW_BIAS).unsigned_abs();
    // mag is in 0x84..=0x7FFF: segment = position of the top bit above bit 7
    let seg = segment(mag, 8);
    let mant = ((mag >> (seg + 3)) & 0x0F) as u8;
    ((seg << 4) | mant) ^ mask
}

/// Decodes one μ-law byte to a linear sample.
pub fn ulaw_decode(byte: u8) -> i16 {
    let u = !byte;
    let seg = (u >> 4) & 0x07;
    let mag = ((i32::from(u & 0x0F) << 3) + ULAW_BIAS) << seg;
    let v = if u & 0x80 == 0 {
        mag - ULAW_BIAS
    } else {
        ULAW_BIAS - mag
    };
    v as i16
}

/// Encodes one linear sample as A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    let s = i32::from(sample) >> 3; // 13-bit
    let (mask, mag) = if s >= 0 { (0xD5_u8, s) } else { (0x55_u8, -s - 1) };
    let mag = mag.min(0x0FFF).unsigned_abs();
    // segment 0 covers 0..=0x1F, segment k covers 0x10 << k..(0x20 << k)
    let seg = segment(mag, 5);
    let shift = if seg < 2 { 1 } else { seg };
    let mant = ((mag >> shift) & 0x0F) as u8;
    ((seg << 4) | mant) ^ mask
}

/// Decodes one A-law byte to a linear sample.
pub fn alaw_decode(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let seg = (a >> 4) & 0x07;
    let mant = i32::from(a & 0x0F) << 4;
    let mag = match seg {
        0 => mant + 8,
        1 => mant + 0x108,
        _ => (mant + 0x108) << (seg - 1),
    };
    (if a & 0x80 == 0 { -mag } else { mag }) as i16
}

/// Which G.711 law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum G711Law {
    /// μ-law, `audio/PCMU`, static payload type 0.
    Ulaw,
    /// A-law, `audio/PCMA`, static payload type 8.
    Alaw,
}

impl G711Law {
    /// Encodes one sample.
    pub fn encode_sample(self, sample: i16) -> u8 {
        match self {
            Self::Ulaw => ulaw_encode(sample),
            Self::Alaw => alaw_encode(sample),
        }
    }

    /// Decodes one byte.
    pub fn decode_sample(self, byte: u8) -> i16 {
        match self {
            Self::Ulaw => ulaw_decode(byte),
            Self::Alaw => alaw_decode(byte),
        }
    }

    /// Encodes `pcm` into `out` (one byte per sample); returns the bytes written, `min(pcm.len(), out.len())`.
    pub fn encode(self, pcm: &[i16], out: &mut [u8]) -> usize {
        let f = match self {
            Self::Ulaw => ulaw_encode,
            Self::Alaw => alaw_encode,
        };
        for (o, &s) in out.iter_mut().zip(pcm) {
            *o = f(s);
        }
        pcm.len().min(out.len())
    }

    /// Decodes `data` into `out`; returns the samples written, `min(data.len(), out.len())`.
    pub fn decode(self, data: &[u8], out: &mut [i16]) -> usize {
        let f = match self {
            Self::Ulaw => ulaw_decode,
            Self::Alaw => alaw_decode,
        };
        for (o, &b) in out.iter_mut().zip(data) {
            *o = f(b);
        }
        data.len().min(out.len())
    }
}

/// Splits G.711 audio into packets of at most `samples_per_packet` samples (default 160, 20 ms).
///
/// G.722 at 64 kbit/s packs the same way: one byte per tick of its 8 kHz RTP clock (RFC 3551 §4.5.2), so
/// 160 bytes are 20 ms of 16 kHz audio; [`crate::payloader_for`] hands this payloader out for `audio/G722`.
#[derive(Debug, Clone, Copy)]
pub struct G711Payloader {
    samples_per_packet: usize,
}

impl Default for G711Payloader {
    fn default() -> Self {
        Self::new(G711_SAMPLES_PER_20MS)
    }
}

impl G711Payloader {
    /// A payloader making packets of `samples_per_packet` samples (at least 1).
    pub fn new(samples_per_packet: usize) -> Self {
        Self {
            samples_per_packet: samples_per_packet.max(1),
        }
    }
}

impl Payloader for G711Payloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        if max_payload == 0 {
            return Err(CodecError::MaxPayloadTooSmall { max: 0, needed: 1 });
        }
        let chunk = self.samples_per_packet.min(max_payload);
        let mut offset = 0u32;
        for c in frame.chunks(chunk) {
            out.put(c);
            out.finish(false, offset);
            offset = offset.wrapping_add(c.len() as u32);
        }
        Ok(())
    }
}

/// G.711 (and G.722) depayloader: every non-empty packet is a frame.
pub type G711Depayloader = crate::payload::PacketPerFrameDepayloader;

/// G.711's fixed bitrate: 8000 samples of 8 bits per second.
pub const G711_BITRATE: u32 = 64_000;

/// G.711 encoder (PCMU or PCMA) for [`AudioFrame`]s: down-mixes stereo, resamples to 8 kHz when the frames
/// are at another rate (48 kHz, say), and codes one byte per 8 kHz sample.
///
/// ```
/// use ortc_codecs::g711::{G711Encoder, G711Law};
/// use ortc_codecs::{AudioEncoder, AudioFrame};
///
/// let mut enc = G711Encoder::with_input(G711Law::Ulaw, 48_000, 2)?;
/// let mut packet = Vec::new();
/// enc.encode(&AudioFrame::new(vec![0; 960 * 2], 48_000, 2), &mut packet)?;
/// assert_eq!(packet.len(), 160); // 20 ms at 8 kHz
/// # Ok::<(), ortc_codecs::CodecError>(())
/// ```
#[derive(Debug, Clone)]
pub struct G711Encoder {
    law: G711Law,
    input: ToCodec,
}

impl G711Encoder {
    /// An encoder taking 8 kHz mono frames.
    pub fn new(law: G711Law) -> Self {
        Self {
            law,
            input: ToCodec::native(G711_CLOCK_RATE),
        }
    }

    /// An encoder taking frames of `sample_rate` Hz × `channels` (1 or 2).
    pub fn with_input(law: G711Law, sample_rate: u32, channels: u16) -> Result<Self, CodecError> {
        Ok(Self {
            law,
            input: ToCodec::new(sample_rate, channels, G711_CLOCK_RATE)?,
        })
    }

    /// μ-law or A-law.
    pub fn law(&self) -> G711Law {
        self.law
    }
}

impl AudioEncoder for G711Encoder {
    fn sample_rate(&self) -> u32 {
        self.input.rate()
    }

    fn channels(&self) -> u16 {
        self.input.channels()
    }

    fn encode(&mut self, frame: &AudioFrame, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let pcm = self.input.convert(frame)?;
        out.clear();
        out.resize(pcm.len(), 0);
        self.law.encode(pcm, out);
        Ok(())
    }

    /// G.711 runs at 64 kbit/s only: other rates are refused.
    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError> {
        if bits_per_second == G711_BITRATE {
            Ok(())
        } else {
            Err(CodecError::UnsupportedBitrate(bits_per_second))
        }
    }
}

/// G.711 decoder (PCMU or PCMA) to [`AudioFrame`]s of 8 kHz mono, or of another rate and channel count
/// (resampled, mono copied to both channels). Lost packets are concealed by repeating the last frame with a
/// falling gain, down to silence after four.
#[derive(Debug, Clone)]
pub struct G711Decoder {
    law: G711Law,
    output: FromCodec,
    pcm: Vec<i16>,
    plc: Concealer,
}

impl G711Decoder {
    /// A decoder giving 8 kHz mono frames.
    pub fn new(law: G711Law) -> Self {
        Self {
            law,
            output: FromCodec::native(G711_CLOCK_RATE),
            pcm: Vec::new(),
            plc: Concealer::default(),
        }
    }

    /// A decoder giving frames of `sample_rate` Hz × `channels` (1 or 2).
    pub fn with_output(law: G711Law, sample_rate: u32, channels: u16) -> Result<Self, CodecError> {
        Ok(Self {
            law,
            output: FromCodec::new(G711_CLOCK_RATE, sample_rate, channels)?,
            pcm: Vec::new(),
            plc: Concealer::default(),
        })
    }
}

impl AudioDecoder for G711Decoder {
    fn decode(&mut self, packet: &[u8], out: &mut AudioFrame) -> Result<(), CodecError> {
        if packet.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        self.pcm.clear();
        self.pcm.resize(packet.len(), 0);
        self.law.decode(packet, &mut self.pcm);
        self.output.convert(&self.pcm, out)?;
        self.plc.remember(&self.pcm);
        Ok(())
    }

    fn conceal(&mut self, out: &mut AudioFrame) -> Result<(), CodecError> {
        self.plc.conceal(&mut self.output, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Depayloader, PayloadPacket};

    /// μ-law decode straight from G.711's definition: 8 segments, 16 steps each, step 2^(seg+1) in
    /// 14-bit units, segment seg starting at (33 << seg) - 33; scaled by 4 to 16 bits.
    fn ulaw_reference(byte: u8) -> i16 {
        let u = !byte;
        let seg = i32::from((u >> 4) & 7);
        let step = i32::from(u & 0x0F);
        // the reconstruction point is the middle of the step: (2*step + 33) * 2^seg - 33
        let v = (((2 * step + 33) << seg) - 33) * 4;
        (if u & 0x80 == 0 { v } else { -v }) as i16
    }

    /// A-law decode from G.711's definition in 13-bit units (x8 for 16 bits): segment 0 and 1 have step 2,
    /// segment seg >= 1 starts at 16 << seg; reconstruction at the middle of the step.
    fn alaw_reference(byte: u8) -> i16 {
        let a = byte ^ 0x55;
        let seg = i32::from((a >> 4) & 7);
        let step = i32::from(a & 0x0F);
        let mag = if seg == 0 {
            2 * step + 1
        } else {
            (16 << seg) + (step << seg) + (1 << (seg - 1))
        };
        let v = mag * 8;
        (if a & 0x80 == 0 { -v } else { v }) as i16
    }

    #[test]
    fn known_pairs() {
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(ulaw_decode(0x00), -32_124);
        assert_eq!(ulaw_decode(0x80), 32_124);
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32_256);
        assert_eq!(alaw_decode(0x2A), -32_256);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(-8), 0x55);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
    }

    #[test]
    fn decode_tables_match_the_definition() {
        for b in 0..=255u8 {
            assert_eq!(ulaw_decode(b), ulaw_reference(b), "ulaw {b:#04x}");
            assert_eq!(alaw_decode(b), alaw_reference(b), "alaw {b:#04x}");
        }
    }

    #[test]
    fn encode_inverts_decode() {
        for b in 0..=255u8 {
            let want = if b == 0x7F { 0xFF } else { b }; // the two μ-law zeros encode to 0xFF
            assert_eq!(ulaw_encode(ulaw_decode(b)), want, "ulaw {b:#04x}");
            assert_eq!(alaw_encode(alaw_decode(b)), b, "alaw {b:#04x}");
        }
    }

    #[test]
    fn encode_error_is_within_a_step() {
        // every sample encodes to a code whose decoded value is no farther than a neighbour's
        for law in [G711Law::Ulaw, G711Law::Alaw] {
            let (enc, dec) = (|s| law.encode_sample(s), |b| law.decode_sample(b));
            let mut levels: Vec<i32> = (0..=255u8).map(|b| i32::from(dec(b))).collect();
            levels.sort_unstable();
            levels.dedup();
            for s in (i16::MIN..=i16::MAX).step_by(7) {
                let got = i32::from(dec(enc(s)));
                let best = levels.iter().map(|l| (l - i32::from(s)).abs()).min().unwrap_or(0);
                // the reference coder truncates within a step: error is below one step of the segment
                let step = if got.abs() < 64 { 16 } else { got.abs() / 8 };
                assert!((got - i32::from(s)).abs() <= best + step, "{law:?} {s} -> {got}");
            }
        }
    }

    #[test]
    fn payload_round_trip_40ms() {
        let pcm: Vec<i16> = (0..320).map(|i| ((i * 97) % 20_000 - 10_000) as i16).collect();
        let mut enc = vec![0u8; pcm.len()];
        assert_eq!(G711Law::Ulaw.encode(&pcm, &mut enc), 320);
        let mut out = Payloads::new();
        G711Payloader::default().payload(&enc, 1200, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        let mut d = G711Depayloader::new();
        let mut back = Vec::new();
        for (i, p) in out.iter().enumerate() {
            assert_eq!(p.timestamp_offset, 160 * i as u32);
            let r = d
                .push(PayloadPacket {
                    sequence_number: i as u16,
                    timestamp: p.timestamp_offset,
                    marker: p.marker,
                    payload: p.data,
                })
                .unwrap();
            back.extend_from_slice(r.frame.unwrap().data);
        }
        assert_eq!(back, enc);
        let mut pcm2 = vec![0i16; 320];
        G711Law::Ulaw.decode(&back, &mut pcm2);
        for (a, b) in pcm.iter().zip(&pcm2) {
            assert!((i32::from(*a) - i32::from(*b)).abs() <= 1024);
        }
    }
}
