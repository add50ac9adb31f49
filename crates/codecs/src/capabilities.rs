//! Codec and header-extension capabilities (what we can send and receive), and the codec matching rules
//! offer/answer negotiation uses.

use std::fmt::Write as _;

use crate::CodecError;

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// Audio.
    Audio,
    /// Video.
    Video,
}

impl MediaKind {
    /// `"audio"` or `"video"`, as in SDP `m=` lines and MIME types.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audio => "audio",
            Self::Video => "video",
        }
    }
}

/// One RTCP feedback mechanism (`a=rtcp-fb`): type and optional parameter, e.g. `nack pli`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFeedback {
    /// Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`.
    pub kind: String,
    /// Parameter: `pli` for `nack pli`, `fir` for `ccm fir`.
    pub parameter: Option<String>,
}

impl RtcpFeedback {
    /// A feedback entry.
    pub fn new(kind: &str, parameter: Option<&str>) -> Self {
        Self {
            kind: kind.to_owned(),
            parameter: parameter.map(str::to_owned),
        }
    }
}

/// A codec we can send or receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpCodecCapability {
    /// MIME type, `kind/name`: `audio/opus`, `video/VP8`, `video/rtx`.
    pub mime_type: String,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Audio channels (`None` for video; absent means 1 for audio).
    pub channels: Option<u16>,
    /// The payload type we offer it with (static types for G.711/G.722; dynamic ones in 96..=127).
    pub preferred_payload_type: Option<u8>,
    /// Format parameters (`a=fmtp`), in order.
    pub parameters: Vec<(String, String)>,
    /// RTCP feedback we support for it.
    pub rtcp_feedback: Vec<RtcpFeedback>,
}

impl RtpCodecCapability {
    /// The media kind, from the MIME type prefix.
    pub fn kind(&self) -> Option<MediaKind> {
        let (kind, _) = self.mime_type.split_once('/')?;
        if kind.eq_ignore_ascii_case("audio") {
            Some(MediaKind::Audio)
        } else if kind.eq_ignore_ascii_case("video") {
            Some(MediaKind::Video)
        } else {
            None
        }
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

    /// The parameters as an `a=fmtp` value: `k=v;k=v`, empty when there are none.
    pub fn sdp_fmtp_line(&self) -> String {
        let mut s = String::new();
        for (i, (k, v)) in self.parameters.iter().enumerate() {
            if i > 0 {
                s.push(';');
            }
            let _ = write!(s, "{k}={v}");
        }
        s
    }

    /// True when `self` and `other` describe the same codec configuration for negotiation: MIME type
    /// (case-insensitive), clock rate and channel count equal, and for H.264 the same profile and
    /// packetization-mode (levels may differ: see [`h264_answer_level`]), for VP9 and AV1 the same
    /// `profile-id` / `profile`. RTX is matched on MIME type and clock rate; its `apt` is the caller's to map.
    pub fn matches(&self, other: &Self) -> bool {
        if !self.mime_type.eq_ignore_ascii_case(&other.mime_type) || self.clock_rate != other.clock_rate {
            return false;
        }
        if self.kind() == Some(MediaKind::Audio) && self.channels.unwrap_or(1) != other.channels.unwrap_or(1) {
            return false;
        }
        let same_param = |name: &str, default: &str| {
            self.parameter(name).unwrap_or(default) == other.parameter(name).unwrap_or(default)
        };
        let name = self.name();
        if name.eq_ignore_ascii_case("H264") {
            let profile = |c: &Self| {
                ProfileLevelId::parse(c.parameter("profile-level-id").unwrap_or(DEFAULT_PROFILE_LEVEL_ID))
                    .map(|p| p.profile)
            };
            return same_param("packetization-mode", "0")
                && matches!((profile(self), profile(other)), (Ok(a), Ok(b)) if a == b);
        }
        if name.eq_ignore_ascii_case("VP9") {
            return same_param("profile-id", "0");
        }
        if name.eq_ignore_ascii_case("AV1") {
            return same_param("profile", "0");
        }
        true
    }
}

/// An RTP header extension we support.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpHeaderExtensionCapability {
    /// The extension URI (`a=extmap`).
    pub uri: String,
    /// The id we prefer to offer it with.
    pub preferred_id: Option<u8>,
}

/// Codecs and header extensions for one media kind, in preference order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpCapabilities {
    /// Codecs, most preferred first; each video codec is followed by its `video/rtx`.
    pub codecs: Vec<RtpCodecCapability>,
    /// Header extensions.
    pub header_extensions: Vec<RtpHeaderExtensionCapability>,
}

/// URI of the `sdes:mid` header extension (RFC 8843).
pub const URI_MID: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";
/// URI of the client-to-mixer audio level extension (RFC 6464).
pub const URI_AUDIO_LEVEL: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
/// URI of the abs-send-time extension.
pub const URI_ABS_SEND_TIME: &str = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
/// URI of the transport-wide sequence number extension.
pub const URI_TRANSPORT_CC: &str = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
/// URI of the `sdes:rtp-stream-id` extension (RFC 8852).
pub const URI_RTP_STREAM_ID: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
/// URI of the `sdes:repaired-rtp-stream-id` extension (RFC 8852).
pub const URI_REPAIRED_RTP_STREAM_ID: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

fn codec(mime: &str, clock_rate: u32, channels: Option<u16>, pt: u8, params: &[(&str, &str)]) -> RtpCodecCapability {
    RtpCodecCapability {
        mime_type: mime.to_owned(),
        clock_rate,
        channels,
        preferred_payload_type: Some(pt),
        parameters: params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        rtcp_feedback: Vec::new(),
    }
}

fn extensions(uris: &[&str]) -> Vec<RtpHeaderExtensionCapability> {
    uris.iter()
        .zip(1u8..)
        .map(|(u, id)| RtpHeaderExtensionCapability {
            uri: (*u).to_owned(),
            preferred_id: Some(id),
        })
        .collect()
}

/// What this stack supports for `kind`, in preference order.
///
/// Audio: opus/48000/2 (PT 96), G722/8000 (9), PCMU/8000 (0), PCMA/8000 (8), aiortc's default order.
/// Video: VP8 (97), H264 42001f (99) and 42e01f (101) with packetization-mode=1 and
/// level-asymmetry-allowed=1, VP9 profile 0 (103), AV1 (105), each followed by `video/rtx` with `apt`
/// naming it (98, 100, 102, 104, 106). Video codecs carry `nack`, `nack pli`, `ccm fir`, `goog-remb`,
/// `transport-cc`; opus carries `transport-cc`.
pub fn get_capabilities(kind: MediaKind) -> RtpCapabilities {
    match kind {
        MediaKind::Audio => {
            let mut opus = codec(
                "audio/opus",
                48_000,
                Some(2),
                96,
                &[("minptime", "10"), ("useinbandfec", "1")],
            );
            opus.rtcp_feedback.push(RtcpFeedback::new("transport-cc", None));
            RtpCapabilities {
                codecs: vec![
                    opus,
                    codec("audio/G722", 8000, Some(1), 9, &[]),
                    codec("audio/PCMU", 8000, Some(1), 0, &[]),
                    codec("audio/PCMA", 8000, Some(1), 8, &[]),
                ],
                header_extensions: extensions(&[URI_MID, URI_AUDIO_LEVEL, URI_ABS_SEND_TIME, URI_TRANSPORT_CC]),
            }
        }
        MediaKind::Video => {
            let feedback = [
                RtcpFeedback::new("nack", None),
                RtcpFeedback::new("nack", Some("pli")),
                RtcpFeedback::new("ccm", Some("fir")),
                RtcpFeedback::new("goog-remb", None),
                RtcpFeedback::new("transport-cc", None),
            ];
            let h264 = |profile: &'static str| -> Vec<(&'static str, &'static str)> {
                vec![
                    ("level-asymmetry-allowed", "1"),
                    ("packetization-mode", "1"),
                    ("profile-level-id", profile),
                ]
            };
            let media: [(&str, Vec<(&str, &str)>); 5] = [
                ("video/VP8", vec![]),
                ("video/H264", h264("42001f")),
                ("video/H264", h264("42e01f")),
                ("video/VP9", vec![("profile-id", "0")]),
                ("video/AV1", vec![]),
            ];
            let mut codecs = Vec::new();
            for ((mime, params), pt) in media.iter().zip((97u8..).step_by(2)) {
                let mut c = codec(mime, 90_000, None, pt, params);
                c.rtcp_feedback.extend_from_slice(&feedback);
                codecs.push(c);
                codecs.push(codec("video/rtx", 90_000, None, pt + 1, &[("apt", &pt.to_string())]));
            }
            RtpCapabilities {
                codecs,
                header_extensions: extensions(&[
                    URI_MID,
                    URI_ABS_SEND_TIME,
                    URI_TRANSPORT_CC,
                    URI_RTP_STREAM_ID,
                    URI_REPAIRED_RTP_STREAM_ID,
                ]),
            }
        }
    }
}

/// `profile-level-id` when the fmtp line has none: Baseline, level 1.0 (RFC 6184 §8.1).
const DEFAULT_PROFILE_LEVEL_ID: &str = "42000a";

/// `(profile_idc, mask, profile-iop under mask, profile)`, first match wins (libwebrtc's table).
const PROFILE_TABLE: [(u8, u8, u8, H264Profile); 9] = [
    (0x42, 0x4F, 0x40, H264Profile::ConstrainedBaseline),
    (0x4D, 0x8F, 0x80, H264Profile::ConstrainedBaseline),
    (0x58, 0xCF, 0xC0, H264Profile::ConstrainedBaseline),
    (0x42, 0x4F, 0x00, H264Profile::Baseline),
    (0x58, 0xCF, 0x80, H264Profile::Baseline),
    (0x4D, 0xAF, 0x00, H264Profile::Main),
    (0x64, 0xFF, 0x00, H264Profile::High),
    (0x64, 0xFF, 0x0C, H264Profile::ConstrainedHigh),
    (0xF4, 0xFF, 0x00, H264Profile::PredictiveHigh444),
];

/// H.264 profiles that matter for WebRTC negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum H264Profile {
    /// Constrained Baseline (what every WebRTC endpoint decodes).
    ConstrainedBaseline,
    /// Baseline.
    Baseline,
    /// Main.
    Main,
    /// Constrained High.
    ConstrainedHigh,
    /// High.
    High,
    /// Predictive High 4:4:4.
    PredictiveHigh444,
}

/// A parsed `profile-level-id`: `profile_idc`, constraint flags (`profile-iop`) and `level_idc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileLevelId {
    /// The profile the three bytes name.
    pub profile: H264Profile,
    /// `level_idc` (e.g. 31 for level 3.1); level 1b is 0 here.
    pub level: u8,
}

impl ProfileLevelId {
    /// Parses six hex digits (RFC 6184 §8.1) and classifies the profile as libwebrtc does.
    pub fn parse(s: &str) -> Result<Self, CodecError> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CodecError::BadProfileLevelId);
        }
        let v = u32::from_str_radix(s, 16).map_err(|_| CodecError::BadProfileLevelId)?;
        let [_, idc, iop, level] = v.to_be_bytes();
        let profile = PROFILE_TABLE
            .iter()
            .find(|(p, mask, want, _)| *p == idc && iop & mask == *want)
            .map(|t| t.3)
            .ok_or(CodecError::BadProfileLevelId)?;
        // level 1b: level_idc 11 with constraint_set3 in the Baseline-family profiles
        let level_1b = level == 11
            && iop & 0x10 != 0
            && matches!(
                profile,
                H264Profile::Baseline | H264Profile::ConstrainedBaseline | H264Profile::Main
            );
        Ok(Self {
            profile,
            level: if level_1b { 0 } else { level },
        })
    }
}

/// The H.264 level to answer with, given our and the remote's `profile-level-id`s of the same profile:
/// with `level-asymmetry-allowed=1` on both sides each side keeps its own level (ours for what we receive),
/// otherwise the lower of the two.
pub fn h264_answer_level(local: &RtpCodecCapability, remote: &RtpCodecCapability) -> Result<u8, CodecError> {
    let pli = |c: &RtpCodecCapability| {
        ProfileLevelId::parse(c.parameter("profile-level-id").unwrap_or(DEFAULT_PROFILE_LEVEL_ID))
    };
    let (l, r) = (pli(local)?, pli(remote)?);
    let asym = |c: &RtpCodecCapability| c.parameter("level-asymmetry-allowed") == Some("1");
    Ok(if asym(local) && asym(remote) {
        l.level
    } else {
        l.level.min(r.level)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aiortc_order() {
        let audio = get_capabilities(MediaKind::Audio);
        let names: Vec<_> = audio
            .codecs
            .iter()
            .map(|c| (c.mime_type.as_str(), c.clock_rate))
            .collect();
        assert_eq!(
            names,
            [
                ("audio/opus", 48_000),
                ("audio/G722", 8000),
                ("audio/PCMU", 8000),
                ("audio/PCMA", 8000)
            ]
        );
        assert_eq!(audio.codecs[0].channels, Some(2));
        let video = get_capabilities(MediaKind::Video);
        let v: Vec<_> = video
            .codecs
            .iter()
            .map(|c| (c.mime_type.as_str(), c.preferred_payload_type, c.sdp_fmtp_line()))
            .collect();
        assert_eq!(v[0], ("video/VP8", Some(97), String::new()));
        assert_eq!(v[1], ("video/rtx", Some(98), "apt=97".to_owned()));
        assert_eq!(
            v[2].2,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"
        );
        assert_eq!(v[5], ("video/rtx", Some(102), "apt=101".to_owned()));
        assert_eq!(v[6].0, "video/VP9");
        assert_eq!(v[8].0, "video/AV1");
        assert_eq!(video.codecs.len(), 10);
        assert!(
            video.codecs[0]
                .rtcp_feedback
                .contains(&RtcpFeedback::new("ccm", Some("fir")))
        );
        assert_eq!(video.codecs[0].kind(), Some(MediaKind::Video));
    }

    #[test]
    fn profile_level_ids() {
        let p = |s| ProfileLevelId::parse(s).unwrap();
        assert_eq!(p("42e01f").profile, H264Profile::ConstrainedBaseline);
        assert_eq!(p("42001f").profile, H264Profile::Baseline);
        assert_eq!(p("4d001f").profile, H264Profile::Main);
        assert_eq!(p("640c1f").profile, H264Profile::ConstrainedHigh);
        assert_eq!(p("640032").profile, H264Profile::High);
        assert_eq!(p("42e01f").level, 31);
        assert_eq!(p("42f00b").level, 0); // 1b
        assert!(ProfileLevelId::parse("42e01").is_err());
        assert!(ProfileLevelId::parse("zze01f").is_err());
        assert!(ProfileLevelId::parse("ff001f").is_err());
    }

    #[test]
    fn matching() {
        let video = get_capabilities(MediaKind::Video);
        let mut remote = video.codecs[4].clone(); // 42e01f
        remote.mime_type = "VIDEO/h264".into();
        remote.parameters = vec![
            ("profile-level-id".into(), "42e034".into()),
            ("packetization-mode".into(), "1".into()),
            ("level-asymmetry-allowed".into(), "1".into()),
        ];
        assert!(video.codecs[4].matches(&remote));
        assert!(!video.codecs[2].matches(&remote), "Baseline vs Constrained Baseline");
        assert_eq!(h264_answer_level(&video.codecs[4], &remote), Ok(31));
        remote.parameters.pop();
        assert_eq!(h264_answer_level(&video.codecs[4], &remote), Ok(31));
        remote.parameters[0].1 = "42e015".into();
        assert_eq!(h264_answer_level(&video.codecs[4], &remote), Ok(21));
        remote.parameters[1].1 = "0".into();
        assert!(!video.codecs[4].matches(&remote), "packetization-mode differs");

        let audio = get_capabilities(MediaKind::Audio);
        let mut opus = audio.codecs[0].clone();
        opus.mime_type = "audio/OPUS".into();
        assert!(audio.codecs[0].matches(&opus));
        opus.channels = Some(1);
        assert!(!audio.codecs[0].matches(&opus));
        let mut pcmu = audio.codecs[2].clone();
        pcmu.channels = None;
        assert!(audio.codecs[2].matches(&pcmu));
        assert!(!audio.codecs[2].matches(&audio.codecs[3]));
        let mut vp9 = video.codecs[6].clone();
        vp9.parameters[0].1 = "2".into();
        assert!(!video.codecs[6].matches(&vp9));
    }
}
