//! RTP parameters as the W3C / ORTC API describes them (`RTCRtpParameters` and its parts), their validation,
//! and their conversion into the stream parameters of the [session core](crate::session).
//!
//! The types serialize with the W3C member names (`payloadType`, `mimeType`, `clockRate`, `headerExtensions`,
//! `rtcp.reducedSize`, `encodings[].maxBitrate`, …). Format parameters are a JSON object kept in order; RTCP
//! feedback entries are `{"type": "nack", "parameter": "pli"}`.
//!
//! Nothing here draws random numbers: SSRCs, sequence numbers and the timestamp origin of a new send stream
//! come in through [`SendStreamNumbers`], drawn by the caller from the OS CSPRNG.
//!
//! ```
//! use ortc_codecs::{MediaKind, RtcpFeedback};
//! use ortc_rtp_packet::{PayloadType, Ssrc};
//! use ortc_rtp_api::params::{
//!     RtpCodecParameters, RtpEncodingParameters, RtpParameters, RtxParameters, SendStreamNumbers,
//! };
//!
//! let pt = |n| PayloadType::new(n).ok_or("payload type");
//! let mut vp8 = RtpCodecParameters::new(pt(97)?, "video/VP8", 90_000);
//! vp8.rtcp_feedback = vec![RtcpFeedback::new("nack", None), RtcpFeedback::new("nack", Some("pli"))];
//! let mut rtx = RtpCodecParameters::new(pt(98)?, "video/rtx", 90_000);
//! rtx.parameters = vec![("apt".into(), "97".into())];
//! let mut params = RtpParameters::new(vec![vp8, rtx]);
//! params.encodings = vec![RtpEncodingParameters {
//!     ssrc: Some(Ssrc::new(1111)),
//!     rtx: Some(RtxParameters { ssrc: Ssrc::new(2222) }),
//!     ..RtpEncodingParameters::default()
//! }];
//!
//! // drawn from the OS CSPRNG by the caller; the encoding's SSRCs take precedence
//! let numbers = SendStreamNumbers {
//!     ssrc: Ssrc::new(1),
//!     rtx_ssrc: Ssrc::new(2),
//!     initial_sequence_number: 3,
//!     rtx_initial_sequence_number: 4,
//!     timestamp_origin: 5,
//! };
//! let send = params.to_send_params(MediaKind::Video, &numbers)?;
//! assert_eq!((send.ssrc, send.rtx_ssrc), (Ssrc::new(1111), Some(Ssrc::new(2222))));
//! assert_eq!(send.codecs[0].rtx_payload_type, Some(pt(98)?));
//!
//! let json = serde_json::to_string(&params)?;
//! assert!(json.contains(r#""payloadType":98,"mimeType":"video/rtx","clockRate":90000,"parameters":{"apt":"97"}"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use ortc_codecs::h264::PacketizationMode;
use ortc_codecs::{depayloader_for, payloader_for};
use ortc_rtp_packet::{ExtensionError, ExtensionMap, Mid, PayloadType, Rid, Ssrc};
use serde::{Deserialize, Serialize};

use crate::session::{ReceiveCodec, ReceiveParams, SendCodec, SendParams};

pub use ortc_codecs::{
    MediaKind, RtcpFeedback, RtpCapabilities, RtpCodecCapability, RtpHeaderExtensionCapability, get_capabilities,
};

/// Why RTP parameters, or a list of codec preferences, cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParametersError {
    /// The parameters list no codec.
    #[error("the parameters list no codec")]
    NoCodecs,
    /// Two codecs share a payload type.
    #[error("payload type {payload_type} is given to more than one codec")]
    DuplicatePayloadType {
        /// The payload type.
        payload_type: PayloadType,
    },
    /// An encoding names a payload type that is not one of the media codecs.
    #[error("the encoding names payload type {payload_type}, which is not a media codec of the parameters")]
    UnknownPayloadType {
        /// The payload type named.
        payload_type: PayloadType,
    },
    /// A codec of another media kind (or a MIME type that names none).
    #[error("{mime_type} is not a {} codec", .kind.as_str())]
    KindMismatch {
        /// The codec's MIME type.
        mime_type: String,
        /// The kind the parameters are for.
        kind: MediaKind,
    },
    /// An RTX codec without the `apt` format parameter.
    #[error("RTX codec {payload_type} has no apt parameter")]
    RtxWithoutApt {
        /// The RTX payload type.
        payload_type: PayloadType,
    },
    /// An RTX codec whose `apt` is not a payload type.
    #[error("RTX codec {payload_type} has apt={apt:?}, which is not a payload type")]
    RtxBadApt {
        /// The RTX payload type.
        payload_type: PayloadType,
        /// The `apt` value as given.
        apt: String,
    },
    /// An RTX codec whose `apt` names no media codec of the parameters.
    #[error("RTX codec {payload_type} has apt={apt}, which names no media codec of the parameters")]
    RtxAptUnknown {
        /// The RTX payload type.
        payload_type: PayloadType,
        /// The payload type `apt` names.
        apt: PayloadType,
    },
    /// An RTX codec whose clock rate differs from its media codec's.
    #[error("RTX codec {payload_type} runs at {clock_rate} Hz but its media codec {apt} at {media_clock_rate} Hz")]
    RtxClockRateMismatch {
        /// The RTX payload type.
        payload_type: PayloadType,
        /// The RTX codec's clock rate.
        clock_rate: u32,
        /// The media payload type.
        apt: PayloadType,
        /// The media codec's clock rate.
        media_clock_rate: u32,
    },
    /// A second RTX codec for the same media codec.
    #[error("RTX codec {payload_type} repeats apt={apt}, which an earlier RTX codec already names")]
    DuplicateRtx {
        /// The second RTX payload type.
        payload_type: PayloadType,
        /// The media payload type both name.
        apt: PayloadType,
    },
    /// A codec to send that no payloader packetizes.
    #[error("no RTP payloader for {mime_type}")]
    NoPayloader {
        /// The codec's MIME type.
        mime_type: String,
    },
    /// A codec to receive that no depayloader reassembles.
    #[error("no RTP depayloader for {mime_type}")]
    NoDepayloader {
        /// The codec's MIME type.
        mime_type: String,
    },
    /// A header extension id outside 1..=255.
    #[error("header extension id {id} of {uri} is outside 1..=255")]
    ExtensionIdOutOfRange {
        /// The id.
        id: u16,
        /// The extension's URI.
        uri: String,
    },
    /// Two header extensions share an id.
    #[error("header extension id {id} is given to both {first_uri} and {second_uri}")]
    DuplicateExtensionId {
        /// The id.
        id: u16,
        /// The URI of the first extension with it.
        first_uri: String,
        /// The URI of the second.
        second_uri: String,
    },
    /// One header extension URI under two ids.
    #[error("header extension {uri} has both id {first_id} and id {second_id}")]
    DuplicateExtensionUri {
        /// The URI.
        uri: String,
        /// Its first id.
        first_id: u16,
        /// Its second id.
        second_id: u16,
    },
    /// The RTX SSRC equals the media SSRC.
    #[error("SSRC {ssrc} is given to both the media and the RTX stream")]
    RtxSsrcIsMediaSsrc {
        /// The SSRC.
        ssrc: Ssrc,
    },
    /// A codec preference that is not one of the capabilities of its kind.
    #[error(
        "codec {mime_type}/{clock_rate} (channels {channels:?}, parameters {parameters:?}) is not in the capabilities"
    )]
    CodecNotInCapabilities {
        /// Its MIME type.
        mime_type: String,
        /// Its clock rate.
        clock_rate: u32,
        /// Its channel count.
        channels: Option<u16>,
        /// Its format parameters, as an `a=fmtp` value.
        parameters: String,
    },
    /// Codec preferences naming RTX, RED or FEC but no media codec.
    #[error("codec preferences name {mime_type} but no media codec")]
    NoMediaCodecPreferred {
        /// The first repair or redundancy codec listed.
        mime_type: String,
    },
}

/// One codec of [`RtpParameters`] (`RTCRtpCodecParameters`): a payload type bound to a codec configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtpCodecParameters {
    /// The RTP payload type (0..=127).
    pub payload_type: PayloadType,
    /// MIME type, `kind/name`: `audio/opus`, `video/VP8`, `video/rtx`.
    pub mime_type: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Audio channels (absent for video; absent means 1 for audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u16>,
    /// Format parameters (`a=fmtp`), in order; a JSON object in serialized form.
    #[serde(default, with = "fmtp")]
    pub parameters: Vec<(String, String)>,
    /// RTCP feedback negotiated for the codec.
    #[serde(default, with = "feedback")]
    pub rtcp_feedback: Vec<RtcpFeedback>,
}

impl RtpCodecParameters {
    /// A codec without channels, format parameters or feedback.
    pub fn new(payload_type: PayloadType, mime_type: impl Into<String>, clock_rate: u32) -> Self {
        Self {
            payload_type,
            mime_type: mime_type.into(),
            clock_rate,
            channels: None,
            parameters: Vec::new(),
            rtcp_feedback: Vec::new(),
        }
    }

    /// The codec of `capability` under `payload_type`, with its parameters and feedback.
    pub fn from_capability(capability: &RtpCodecCapability, payload_type: PayloadType) -> Self {
        Self {
            payload_type,
            mime_type: capability.mime_type.clone(),
            clock_rate: capability.clock_rate,
            channels: capability.channels,
            parameters: capability.parameters.clone(),
            rtcp_feedback: capability.rtcp_feedback.clone(),
        }
    }

    /// The media kind, from the MIME type prefix.
    pub fn kind(&self) -> Option<MediaKind> {
        let (kind, _) = self.mime_type.split_once('/')?;
        [MediaKind::Audio, MediaKind::Video]
            .into_iter()
            .find(|k| kind.eq_ignore_ascii_case(k.as_str()))
    }

    /// The codec name (the part after `/`).
    pub fn name(&self) -> &str {
        self.mime_type.split_once('/').map_or(&self.mime_type, |(_, n)| n)
    }

    /// A format parameter by name (case-insensitive).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is an RTX codec (`*/rtx`, RFC 4588).
    pub fn is_rtx(&self) -> bool {
        self.name().eq_ignore_ascii_case("rtx")
    }

    /// Whether RTCP feedback `kind` with `parameter` was negotiated (case-insensitive).
    fn has_feedback(&self, kind: &str, parameter: Option<&str>) -> bool {
        self.rtcp_feedback.iter().any(|f| {
            f.kind.eq_ignore_ascii_case(kind)
                && match (f.parameter.as_deref(), parameter) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                }
        })
    }

    /// H.264 with `packetization-mode=1`.
    fn h264_packetization_mode_1(&self) -> bool {
        self.name().eq_ignore_ascii_case("H264") && self.parameter("packetization-mode").map(str::trim) == Some("1")
    }
}

/// A header extension of [`RtpParameters`] (`RTCRtpHeaderExtensionParameters`): a URI and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtpHeaderExtensionParameters {
    /// The id (1..=255; 1..=14 fit the one-byte header form).
    pub id: u16,
    /// The extension URI (`a=extmap`).
    pub uri: String,
}

/// RTCP settings of [`RtpParameters`] (`RTCRtcpParameters`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtcpParameters {
    /// The RTCP CNAME (`a=ssrc:… cname:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cname: Option<String>,
    /// The SSRC RTCP is sent from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssrc: Option<Ssrc>,
    /// RTP and RTCP share one transport (`a=rtcp-mux`).
    pub mux: bool,
    /// Reduced-size RTCP (`a=rtcp-rsize`, RFC 5506).
    pub reduced_size: bool,
}

/// The RTX stream of an encoding (`RTCRtpRtxParameters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RtxParameters {
    /// The RTX SSRC (`a=ssrc-group:FID`).
    pub ssrc: Ssrc,
}

/// One encoding of [`RtpParameters`] (`RTCRtpEncodingParameters`): one RTP stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RtpEncodingParameters {
    /// The media SSRC, when signalled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssrc: Option<Ssrc>,
    /// The RTX stream, when signalled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtx: Option<RtxParameters>,
    /// The rid (simulcast, RFC 8852).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid: Option<Rid>,
    /// Whether the encoding is sent (default `true`).
    pub active: bool,
    /// Most bits per second to send, when limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bitrate: Option<u64>,
    /// The payload type of the codec this encoding uses (ORTC `codecPayloadType`); the first codec otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec_payload_type: Option<PayloadType>,
}

impl Default for RtpEncodingParameters {
    fn default() -> Self {
        Self {
            ssrc: None,
            rtx: None,
            rid: None,
            active: true,
            max_bitrate: None,
            codec_payload_type: None,
        }
    }
}

/// RTP parameters of a sender or receiver (`RTCRtpParameters`, as `send()` and `receive()` take them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtpParameters {
    /// Codecs, first preferred, each RTX codec naming its media codec with `apt`.
    pub codecs: Vec<RtpCodecParameters>,
    /// Header extensions and their ids.
    #[serde(default)]
    pub header_extensions: Vec<RtpHeaderExtensionParameters>,
    /// RTCP settings.
    #[serde(default)]
    pub rtcp: RtcpParameters,
    /// The RTP streams; the session core takes the first.
    #[serde(default)]
    pub encodings: Vec<RtpEncodingParameters>,
    /// The m-section's mid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<Mid>,
}

/// The random numbers a new send stream starts from, drawn by the caller from the OS CSPRNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendStreamNumbers {
    /// The media SSRC, used when the first encoding names none.
    pub ssrc: Ssrc,
    /// The RTX SSRC, used when RTX is negotiated and the first encoding names none.
    pub rtx_ssrc: Ssrc,
    /// The first sequence number (one below 32768 puts the first wrap at least 32768 packets away).
    pub initial_sequence_number: u16,
    /// The first RTX sequence number.
    pub rtx_initial_sequence_number: u16,
    /// Added to every RTP timestamp (RFC 3550 §5.1).
    pub timestamp_origin: u32,
}

impl RtpParameters {
    /// Parameters with `codecs` and nothing else.
    pub fn new(codecs: Vec<RtpCodecParameters>) -> Self {
        Self {
            codecs,
            header_extensions: Vec::new(),
            rtcp: RtcpParameters::default(),
            encodings: Vec::new(),
            mid: None,
        }
    }

    /// Checks the parameters for sending `kind`: the checks of [`RtpParameters::validate`], and a payloader
    /// for every media codec.
    pub fn validate_send(&self, kind: MediaKind) -> Result<(), ParametersError> {
        self.validate(kind)?;
        for c in self.media_codecs() {
            let mode = if c.h264_packetization_mode_1() {
                PacketizationMode::NonInterleaved
            } else {
                PacketizationMode::SingleNal
            };
            if payloader_for(&c.mime_type, mode).is_none() {
                return Err(ParametersError::NoPayloader {
                    mime_type: c.mime_type.clone(),
                });
            }
        }
        Ok(())
    }

    /// Checks the parameters for receiving `kind`: the checks of [`RtpParameters::validate`], and a
    /// depayloader for every media codec.
    pub fn validate_receive(&self, kind: MediaKind) -> Result<(), ParametersError> {
        self.validate(kind)?;
        for c in self.media_codecs() {
            if depayloader_for(&c.mime_type).is_none() {
                return Err(ParametersError::NoDepayloader {
                    mime_type: c.mime_type.clone(),
                });
            }
        }
        Ok(())
    }

    /// Checks what holds whichever way the parameters are used: at least one codec; payload types unique and
    /// in 0..=127; every codec of `kind`; every RTX codec with an `apt` naming a media codec of the same clock
    /// rate, one RTX codec per media codec; an encoding's codec payload type naming a media codec and its RTX
    /// SSRC differing from its SSRC; header extension ids in 1..=255, unique, one per URI.
    pub fn validate(&self, kind: MediaKind) -> Result<(), ParametersError> {
        if self.codecs.is_empty() {
            return Err(ParametersError::NoCodecs);
        }
        for (i, c) in self.codecs.iter().enumerate() {
            if self.codecs[..i].iter().any(|o| o.payload_type == c.payload_type) {
                return Err(ParametersError::DuplicatePayloadType {
                    payload_type: c.payload_type,
                });
            }
            if c.kind() != Some(kind) {
                return Err(ParametersError::KindMismatch {
                    mime_type: c.mime_type.clone(),
                    kind,
                });
            }
        }
        // Past the loop above the payload types are distinct and at most 127: the quadratic scans below (and
        // in the conversions) run over at most 128 codecs, whatever the input's length.
        let mut apts = Vec::new();
        for rtx in self.codecs.iter().filter(|c| c.is_rtx()) {
            let apt = self.rtx_apt(rtx)?;
            if apts.contains(&apt) {
                return Err(ParametersError::DuplicateRtx {
                    payload_type: rtx.payload_type,
                    apt,
                });
            }
            apts.push(apt);
        }
        for e in &self.encodings {
            if let Some(pt) = e.codec_payload_type
                && self.media_codec(pt).is_none()
            {
                return Err(ParametersError::UnknownPayloadType { payload_type: pt });
            }
            if let (Some(ssrc), Some(rtx)) = (e.ssrc, e.rtx)
                && ssrc == rtx.ssrc
            {
                return Err(ParametersError::RtxSsrcIsMediaSsrc { ssrc });
            }
        }
        self.validate_extensions()
    }

    /// The session's header extension map from `header_extensions`, after checking them; URIs the RTP layer
    /// does not decode are left out.
    pub fn extension_map(&self) -> Result<ExtensionMap, ParametersError> {
        self.validate_extensions()?;
        let mut map = ExtensionMap::new();
        for e in &self.header_extensions {
            let bad_id = || ParametersError::ExtensionIdOutOfRange {
                id: e.id,
                uri: e.uri.clone(),
            };
            let id = u8::try_from(e.id).map_err(|_| bad_id())?;
            match map.insert_uri(id, &e.uri) {
                Ok(_) | Err(ExtensionError::UnknownUri) => {}
                // insert_uri fails otherwise only on a bad id
                Err(_) => return Err(bad_id()),
            }
        }
        Ok(map)
    }

    /// The send stream these parameters describe, after [`RtpParameters::validate_send`].
    ///
    /// Codecs: every media codec in order (the encoding's codec first when it names one), each with the
    /// payload type of the RTX codec naming it, and H.264 in packetization-mode 1 when its fmtp says so.
    /// SSRCs: the first encoding's, else those of `numbers`; no RTX SSRC when no RTX codec is negotiated.
    /// The mid, the first encoding's rid, and the sequence numbers and timestamp origin of `numbers`.
    /// `active`, `max_bitrate` and `rtcp` are the caller's to apply.
    pub fn to_send_params(&self, kind: MediaKind, numbers: &SendStreamNumbers) -> Result<SendParams, ParametersError> {
        self.validate_send(kind)?;
        let encoding = self.encodings.first();
        let mut codecs: Vec<SendCodec> = self
            .media_codecs()
            .map(|c| SendCodec {
                payload_type: c.payload_type,
                mime_type: c.mime_type.clone(),
                clock_rate: c.clock_rate,
                rtx_payload_type: self.rtx_payload_type(c.payload_type),
                h264_packetization_mode_1: c.h264_packetization_mode_1(),
            })
            .collect();
        if let Some(pt) = encoding.and_then(|e| e.codec_payload_type)
            && let Some(i) = codecs.iter().position(|c| c.payload_type == pt)
        {
            let codec = codecs.remove(i);
            codecs.insert(0, codec);
        }
        let ssrc = encoding.and_then(|e| e.ssrc).unwrap_or(numbers.ssrc);
        let rtx_ssrc = codecs
            .iter()
            .any(|c| c.rtx_payload_type.is_some())
            .then(|| encoding.and_then(|e| e.rtx).map_or(numbers.rtx_ssrc, |r| r.ssrc));
        if rtx_ssrc == Some(ssrc) {
            return Err(ParametersError::RtxSsrcIsMediaSsrc { ssrc });
        }
        let mut params = SendParams::new(kind, ssrc, codecs);
        params.rtx_ssrc = rtx_ssrc;
        params.mid = self.mid;
        params.rid = encoding.and_then(|e| e.rid);
        params.initial_sequence_number = numbers.initial_sequence_number;
        params.rtx_initial_sequence_number = numbers.rtx_initial_sequence_number;
        params.timestamp_origin = numbers.timestamp_origin;
        Ok(params)
    }

    /// The receive stream these parameters describe, after [`RtpParameters::validate_receive`], reporting
    /// from `rtcp_ssrc`.
    ///
    /// Codecs: every media codec in order with the payload type of its RTX codec. SSRCs and rid: the first
    /// encoding's when signalled (no RTX SSRC when no RTX codec is negotiated). NACK and PLI: whether any
    /// media codec negotiated `nack` and `nack pli`.
    pub fn to_receive_params(&self, kind: MediaKind, rtcp_ssrc: Ssrc) -> Result<ReceiveParams, ParametersError> {
        self.validate_receive(kind)?;
        let encoding = self.encodings.first();
        let codecs: Vec<ReceiveCodec> = self
            .media_codecs()
            .map(|c| ReceiveCodec {
                payload_type: c.payload_type,
                mime_type: c.mime_type.clone(),
                clock_rate: c.clock_rate,
                rtx_payload_type: self.rtx_payload_type(c.payload_type),
            })
            .collect();
        let rtx_negotiated = codecs.iter().any(|c| c.rtx_payload_type.is_some());
        let mut params = ReceiveParams::new(kind, codecs, rtcp_ssrc);
        params.ssrc = encoding.and_then(|e| e.ssrc);
        params.rtx_ssrc = encoding.and_then(|e| e.rtx).map(|r| r.ssrc).filter(|_| rtx_negotiated);
        params.mid = self.mid;
        params.rid = encoding.and_then(|e| e.rid);
        params.nack = self.media_codecs().any(|c| c.has_feedback("nack", None));
        params.pli = self.media_codecs().any(|c| c.has_feedback("nack", Some("pli")));
        params.fir = self.media_codecs().any(|c| c.has_feedback("ccm", Some("fir")));
        Ok(params)
    }

    fn media_codecs(&self) -> impl Iterator<Item = &RtpCodecParameters> {
        self.codecs.iter().filter(|c| !c.is_rtx())
    }

    fn media_codec(&self, payload_type: PayloadType) -> Option<&RtpCodecParameters> {
        self.media_codecs().find(|c| c.payload_type == payload_type)
    }

    /// The payload type of the first RTX codec whose `apt` names `payload_type`.
    fn rtx_payload_type(&self, payload_type: PayloadType) -> Option<PayloadType> {
        self.codecs
            .iter()
            .filter(|c| c.is_rtx())
            .find(|c| c.parameter("apt").and_then(|a| a.trim().parse::<u8>().ok()) == Some(payload_type.get()))
            .map(|c| c.payload_type)
    }

    /// The media payload type an RTX codec repairs, checked against the codec list.
    fn rtx_apt(&self, rtx: &RtpCodecParameters) -> Result<PayloadType, ParametersError> {
        let payload_type = rtx.payload_type;
        let text = rtx
            .parameter("apt")
            .ok_or(ParametersError::RtxWithoutApt { payload_type })?;
        let apt = text
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(PayloadType::new)
            .ok_or_else(|| ParametersError::RtxBadApt {
                payload_type,
                apt: text.to_owned(),
            })?;
        let media = self
            .media_codec(apt)
            .ok_or(ParametersError::RtxAptUnknown { payload_type, apt })?;
        if media.clock_rate != rtx.clock_rate {
            return Err(ParametersError::RtxClockRateMismatch {
                payload_type,
                clock_rate: rtx.clock_rate,
                apt,
                media_clock_rate: media.clock_rate,
            });
        }
        Ok(apt)
    }

    fn validate_extensions(&self) -> Result<(), ParametersError> {
        // Fails by the 256th entry (ids are distinct and in 1..=255), so the scans of earlier entries stay short.
        for (i, e) in self.header_extensions.iter().enumerate() {
            if !(1..=255).contains(&e.id) {
                return Err(ParametersError::ExtensionIdOutOfRange {
                    id: e.id,
                    uri: e.uri.clone(),
                });
            }
            let earlier = &self.header_extensions[..i];
            if let Some(first) = earlier.iter().find(|o| o.id == e.id) {
                return Err(ParametersError::DuplicateExtensionId {
                    id: e.id,
                    first_uri: first.uri.clone(),
                    second_uri: e.uri.clone(),
                });
            }
            if let Some(first) = earlier.iter().find(|o| o.uri == e.uri) {
                return Err(ParametersError::DuplicateExtensionUri {
                    uri: e.uri.clone(),
                    first_id: first.id,
                    second_id: e.id,
                });
            }
        }
        Ok(())
    }
}

/// Whether a codec name is a repair or redundancy format rather than media: `rtx`, `red`, `ulpfec`, `flexfec-03`.
fn is_auxiliary(name: &str) -> bool {
    ["rtx", "red", "ulpfec", "flexfec-03"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// Whether `preference` names `capability`: MIME type (case-insensitive), clock rate, channels (absent = 1)
/// and the same format parameters in any order (names case-insensitive).
fn same_codec(capability: &RtpCodecCapability, preference: &RtpCodecCapability) -> bool {
    capability.mime_type.eq_ignore_ascii_case(&preference.mime_type)
        && capability.clock_rate == preference.clock_rate
        && capability.channels.unwrap_or(1) == preference.channels.unwrap_or(1)
        && capability.parameters.len() == preference.parameters.len()
        && preference
            .parameters
            .iter()
            .all(|(k, v)| capability.parameter(k) == Some(v.as_str()))
}

/// The codecs a transceiver offers after `set_codec_preferences(preferences)`.
///
/// An empty list resets to every capability of `kind`. Otherwise each preference must name a capability of
/// `kind` (MIME type case-insensitive, clock rate, channels, format parameters; payload type and feedback
/// are not compared), repeats are dropped keeping the first, and RTX, RED or FEC entries need a media codec
/// beside them. The result holds the matching capability entries, in the order of `preferences`.
pub fn filter_codec_preferences(
    kind: MediaKind,
    preferences: &[RtpCodecCapability],
) -> Result<Vec<RtpCodecCapability>, ParametersError> {
    let capabilities = get_capabilities(kind).codecs;
    if preferences.is_empty() {
        return Ok(capabilities);
    }
    let mut chosen: Vec<usize> = Vec::with_capacity(preferences.len());
    for p in preferences {
        if p.kind() != Some(kind) {
            return Err(ParametersError::KindMismatch {
                mime_type: p.mime_type.clone(),
                kind,
            });
        }
        let index = capabilities.iter().position(|c| same_codec(c, p)).ok_or_else(|| {
            ParametersError::CodecNotInCapabilities {
                mime_type: p.mime_type.clone(),
                clock_rate: p.clock_rate,
                channels: p.channels,
                parameters: p.sdp_fmtp_line(),
            }
        })?;
        if !chosen.contains(&index) {
            chosen.push(index);
        }
    }
    if chosen.iter().all(|&i| is_auxiliary(capabilities[i].name())) {
        return Err(ParametersError::NoMediaCodecPreferred {
            mime_type: capabilities[chosen[0]].mime_type.clone(),
        });
    }
    Ok(chosen.into_iter().map(|i| capabilities[i].clone()).collect())
}

/// Format parameters as a JSON object, in order. Values may be strings or integers on input (aiortc writes
/// `{"apt": 97}`); they are strings in memory and on output.
mod fmtp {
    use std::fmt;

    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(parameters: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(parameters.iter().map(|(k, v)| (k, v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        d.deserialize_map(Parameters)
    }

    struct Parameters;

    impl<'de> Visitor<'de> for Parameters {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of format parameters")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, Value(v))) = map.next_entry::<String, Value>()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }

    struct Value(String);

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ValueVisitor)
        }
    }

    struct ValueVisitor;

    impl Visitor<'_> for ValueVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
            Ok(Value(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
            Ok(Value(v.to_string()))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
            Ok(Value(v.to_string()))
        }
    }
}

/// RTCP feedback entries as W3C `RTCRtcpFeedback` objects: `{"type": "nack", "parameter": "pli"}`.
mod feedback {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::RtcpFeedback;

    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        parameter: Option<&'a str>,
    }

    #[derive(Deserialize)]
    struct In {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        parameter: Option<String>,
    }

    pub(super) fn serialize<S: Serializer>(feedback: &[RtcpFeedback], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(feedback.iter().map(|f| Out {
            kind: &f.kind,
            parameter: f.parameter.as_deref(),
        }))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RtcpFeedback>, D::Error> {
        let entries = Vec::<In>::deserialize(d)?;
        Ok(entries
            .into_iter()
            .map(|e| RtcpFeedback {
                kind: e.kind,
                parameter: e.parameter,
            })
            .collect())
    }
}
