//! Opus over RTP (RFC 7587): one Opus packet (one or more frames behind a TOC byte) per RTP packet, at a
//! 48 kHz RTP clock whatever the coded bandwidth. With the `opus` feature, also [`OpusEncoder`] and
//! [`OpusDecoder`] over libopus.

#[cfg(feature = "opus")]
mod codec;
#[cfg(feature = "opus")]
pub use codec::{OpusDecoder, OpusEncoder, OpusEncoderConfig};

use crate::CodecError;
use crate::payload::{Payloader, Payloads};

/// Opus RTP clock rate (RFC 7587 §4.1).
pub const OPUS_CLOCK_RATE: u32 = 48_000;

/// Puts each Opus packet in one RTP payload; fails when it does not fit (Opus must not be fragmented).
#[derive(Debug, Clone, Copy, Default)]
pub struct OpusPayloader;

impl Payloader for OpusPayloader {
    fn payload(&mut self, frame: &[u8], max_payload: usize, out: &mut Payloads) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        if frame.len() > max_payload {
            return Err(CodecError::TooLargeForPacket {
                size: frame.len(),
                max: max_payload,
            });
        }
        out.put(frame);
        out.finish(false, 0);
        Ok(())
    }
}

/// Opus depayloader: every packet is a frame; an empty payload is an error.
pub type OpusDepayloader = crate::payload::PacketPerFrameDepayloader;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Depayloaded, Depayloader, FrameBoundary, PayloadPacket};

    #[test]
    fn round_trip_and_limits() {
        let frame = [0xFC, 0xFF, 0xFE, 1, 2, 3];
        let mut out = Payloads::new();
        OpusPayloader.payload(&frame, 1200, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        let mut d = OpusDepayloader::new();
        let p = out.get(0).unwrap();
        let r = d
            .push(PayloadPacket {
                sequence_number: 7,
                timestamp: 960,
                marker: true,
                payload: p.data,
            })
            .unwrap();
        assert_eq!(r.frame.unwrap().to_bytes(), &frame[..]);
        assert_eq!(
            OpusPayloader.payload(&frame, 5, &mut out),
            Err(CodecError::TooLargeForPacket { size: 6, max: 5 })
        );
        assert_eq!(OpusPayloader.payload(&[], 5, &mut out), Err(CodecError::EmptyFrame));
        let empty = PayloadPacket {
            sequence_number: 8,
            timestamp: 1920,
            marker: false,
            payload: &[],
        };
        // a padding-only packet: no frame, no error
        assert_eq!(d.push(empty).unwrap(), Depayloaded::default());
        assert_eq!(d.boundary(&[], false), Err(CodecError::EmptyPayload));
    }
}
