//! Picking a payloader or depayloader by MIME type, for code that learns the codec from negotiation.

use crate::Depayloader;
use crate::av1::{Av1Depayloader, Av1Payloader};
use crate::g711::{G711Depayloader, G711Payloader};
use crate::h264::{H264Depayloader, H264Payloader, PacketizationMode};
use crate::opus::{OpusDepayloader, OpusPayloader};
use crate::payload::Payloader;
use crate::vp8::{Vp8Depayloader, Vp8Payloader};
use crate::vp9::{Vp9Depayloader, Vp9Payloader};

fn name(mime_type: &str) -> &str {
    mime_type.split_once('/').map_or(mime_type, |(_, n)| n)
}

/// A depayloader for `mime_type` (`video/VP8`, `audio/opus`, …; case-insensitive), or `None` for a codec
/// without one.
pub fn depayloader_for(mime_type: &str) -> Option<Box<dyn Depayloader + Send>> {
    let n = name(mime_type).to_ascii_lowercase();
    Some(match n.as_str() {
        "vp8" => Box::new(Vp8Depayloader::new()),
        "vp9" => Box::new(Vp9Depayloader::new()),
        "av1" => Box::new(Av1Depayloader::new()),
        "h264" => Box::new(H264Depayloader::new()),
        "opus" => Box::new(OpusDepayloader::new()),
        // G.722 carries one byte per 8 kHz RTP tick, like G.711.
        "pcmu" | "pcma" | "g722" => Box::new(G711Depayloader::new()),
        _ => return None,
    })
}

/// A payloader for `mime_type` (case-insensitive); H.264 in `mode`. `None` for a codec without one.
pub fn payloader_for(mime_type: &str, mode: PacketizationMode) -> Option<Box<dyn Payloader + Send>> {
    let n = name(mime_type).to_ascii_lowercase();
    Some(match n.as_str() {
        "vp8" => Box::new(Vp8Payloader::new()),
        "vp9" => Box::new(Vp9Payloader::default()),
        "av1" => Box::new(Av1Payloader::default()),
        "h264" => Box::new(H264Payloader::new(mode)),
        "opus" => Box::new(OpusPayloader),
        "pcmu" | "pcma" | "g722" => Box::new(G711Payloader::default()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_mime() {
        assert!(depayloader_for("video/vp8").is_some());
        assert!(depayloader_for("VIDEO/H264").is_some());
        assert!(depayloader_for("audio/PCMA").is_some());
        assert!(depayloader_for("audio/G722").is_some());
        assert!(depayloader_for("audio/telephone-event").is_none());
        assert!(payloader_for("audio/opus", PacketizationMode::default()).is_some());
        assert!(payloader_for("video/AV1", PacketizationMode::default()).is_some());
        assert!(payloader_for("audio/G722", PacketizationMode::default()).is_some());
        let d = depayloader_for("video/VP8").unwrap_or_else(|| unreachable!());
        assert!(d.boundary(&[0x10, 0x00], true).is_ok_and(|b| b.keyframe));
    }
}
