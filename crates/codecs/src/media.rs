//! Raw media frames and the encoder/decoder traits that turn them into codec bitstreams and back.
//!
//! Audio is interleaved 16-bit PCM ([`AudioFrame`]); video is 8-bit I420 with tightly packed planes
//! ([`VideoFrame`]). Encoders write into caller-owned buffers so that a steady stream allocates nothing
//! once the buffers have grown.

use crate::CodecError;

/// Interleaved 16-bit PCM audio.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AudioFrame {
    /// Samples, interleaved by channel (`L R L R …` for stereo).
    pub samples: Vec<i16>,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// RTP timestamp of the first sample, in the codec's RTP clock.
    pub timestamp: u32,
}

impl AudioFrame {
    /// A frame of `samples` at `sample_rate` × `channels`, timestamp 0.
    pub fn new(samples: Vec<i16>, sample_rate: u32, channels: u16) -> Self {
        Self {
            samples,
            sample_rate,
            channels,
            timestamp: 0,
        }
    }

    /// Samples per channel (0 when `channels` is 0).
    pub fn samples_per_channel(&self) -> usize {
        self.samples.len().checked_div(usize::from(self.channels)).unwrap_or(0)
    }
}

/// An 8-bit I420 (YUV 4:2:0 planar) picture with tightly packed planes: Y is `width × height`, U and V
/// are `⌈width/2⌉ × ⌈height/2⌉`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VideoFrame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Luma plane, row by row, `width` bytes per row.
    pub y: Vec<u8>,
    /// Cb plane, `chroma_width()` bytes per row.
    pub u: Vec<u8>,
    /// Cr plane, `chroma_width()` bytes per row.
    pub v: Vec<u8>,
    /// RTP timestamp (90 kHz clock).
    pub timestamp: u32,
}

impl VideoFrame {
    /// A mid-grey frame of the given size.
    pub fn new(width: u32, height: u32, timestamp: u32) -> Self {
        let mut frame = Self {
            width,
            height,
            timestamp,
            ..Self::default()
        };
        frame.resize(width, height);
        frame.y.fill(128);
        frame.u.fill(128);
        frame.v.fill(128);
        frame
    }

    /// Width of the chroma planes.
    pub fn chroma_width(&self) -> u32 {
        self.width.div_ceil(2)
    }

    /// Height of the chroma planes.
    pub fn chroma_height(&self) -> u32 {
        self.height.div_ceil(2)
    }

    /// Sets the size and resizes the planes to match (new bytes are 0), keeping their allocations.
    pub fn resize(&mut self, width: u32, height: u32) {
        self.width = width;
        self.height = height;
        let luma = width as usize * height as usize;
        let chroma = self.chroma_width() as usize * self.chroma_height() as usize;
        self.y.resize(luma, 0);
        self.u.resize(chroma, 0);
        self.v.resize(chroma, 0);
    }

    /// Checks that the size is non-zero and each plane holds at least what the size needs.
    pub fn check(&self) -> Result<(), CodecError> {
        if self.width == 0 || self.height == 0 {
            return Err(CodecError::BadDimensions {
                width: self.width,
                height: self.height,
            });
        }
        let luma = self.width as usize * self.height as usize;
        let chroma = self.chroma_width() as usize * self.chroma_height() as usize;
        for (plane, data, needed) in [("Y", &self.y, luma), ("U", &self.u, chroma), ("V", &self.v, chroma)] {
            if data.len() < needed {
                return Err(CodecError::PlaneTooSmall {
                    plane,
                    needed,
                    got: data.len(),
                });
            }
        }
        Ok(())
    }
}

/// One encoded video frame, reusable across calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EncodedVideo {
    /// The codec bitstream of the frame (what a [`Payloader`](crate::Payloader) takes).
    pub data: Vec<u8>,
    /// True when the frame is a keyframe.
    pub keyframe: bool,
    /// RTP timestamp (90 kHz) of the source frame.
    pub timestamp: u32,
}

/// Encodes PCM frames into codec packets.
pub trait AudioEncoder {
    /// The sample rate frames must have.
    fn sample_rate(&self) -> u32;
    /// The channel count frames must have.
    fn channels(&self) -> u16;
    /// Encodes one frame into `out` (cleared first): one packet, the payload of one RTP packet.
    fn encode(&mut self, frame: &AudioFrame, out: &mut Vec<u8>) -> Result<(), CodecError>;
    /// Sets the target bitrate in bit/s, taking effect from the next frame.
    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError>;
}

/// Decodes codec packets into PCM frames.
pub trait AudioDecoder {
    /// Decodes one packet into `out`, replacing its samples and setting its rate and channels (the
    /// timestamp is left for the caller, who knows the packet's).
    fn decode(&mut self, packet: &[u8], out: &mut AudioFrame) -> Result<(), CodecError>;
    /// Produces a frame to stand in for a lost packet (packet loss concealment), of the last packet's
    /// duration.
    fn conceal(&mut self, out: &mut AudioFrame) -> Result<(), CodecError>;
}

/// Encodes I420 pictures into a codec bitstream.
pub trait VideoEncoder {
    /// Encodes one picture into `out`. Returns `false` when the encoder dropped the frame (rate control)
    /// and `out` holds nothing to send.
    fn encode(&mut self, frame: &VideoFrame, out: &mut EncodedVideo) -> Result<bool, CodecError>;
    /// Sets the target bitrate in bit/s, taking effect from the next frame.
    fn set_bitrate(&mut self, bits_per_second: u32) -> Result<(), CodecError>;
    /// Makes the next encoded frame a keyframe (after a PLI or FIR from the receiver).
    fn request_keyframe(&mut self);
}

/// Decodes a codec bitstream into I420 pictures.
pub trait VideoDecoder {
    /// Decodes one complete frame. Returns `true` and fills `out` (its `timestamp` set to `timestamp`)
    /// when a picture came out; `false` when the decoder produced none for this input.
    fn decode(&mut self, data: &[u8], timestamp: u32, out: &mut VideoFrame) -> Result<bool, CodecError>;
}
