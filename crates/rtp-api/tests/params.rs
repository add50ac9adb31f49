//! RTP parameters: validation errors, conversion into session stream parameters, the W3C JSON form, and the
//! codec preference rules.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use ortc_codecs::{URI_ABS_SEND_TIME, URI_AUDIO_LEVEL, URI_MID, URI_RTP_STREAM_ID};
use ortc_rtcp::NtpTime;
use ortc_rtp_api::params::{
    MediaKind, ParametersError, RtcpFeedback, RtcpParameters, RtpCodecCapability, RtpCodecParameters,
    RtpEncodingParameters, RtpHeaderExtensionParameters, RtpParameters, RtxParameters, SendStreamNumbers,
    filter_codec_preferences, get_capabilities,
};
use ortc_rtp_api::session::{ReceiveCodec, ReceiveParams, RtpSession, SendCodec, SendParams, SessionConfig};
use ortc_rtp_packet::{ExtensionKind, Mid, PayloadType, Rid, Ssrc};
use serde_json::json;

const NUMBERS: SendStreamNumbers = SendStreamNumbers {
    ssrc: Ssrc::new(0x1000),
    rtx_ssrc: Ssrc::new(0x2000),
    initial_sequence_number: 1234,
    rtx_initial_sequence_number: 5678,
    timestamp_origin: 0xDEAD_BEEF,
};

fn pt(n: u8) -> PayloadType {
    PayloadType::new(n).unwrap()
}

fn codec(n: u8, mime: &str, clock_rate: u32, params: &[(&str, &str)]) -> RtpCodecParameters {
    let mut c = RtpCodecParameters::new(pt(n), mime, clock_rate);
    c.parameters = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    c
}

fn rtx(pt: u8, apt: u8) -> RtpCodecParameters {
    codec(pt, "video/rtx", 90_000, &[("apt", &apt.to_string())])
}

fn video_feedback() -> Vec<RtcpFeedback> {
    vec![
        RtcpFeedback::new("nack", None),
        RtcpFeedback::new("nack", Some("pli")),
        RtcpFeedback::new("ccm", Some("fir")),
    ]
}

fn ext(id: u16, uri: &str) -> RtpHeaderExtensionParameters {
    RtpHeaderExtensionParameters {
        id,
        uri: uri.to_owned(),
    }
}

/// VP8 (97) with RTX (98), mid "0", one encoding with SSRCs and a rid, three header extensions.
fn vp8_rtx() -> RtpParameters {
    let mut vp8 = codec(97, "video/VP8", 90_000, &[]);
    vp8.rtcp_feedback = video_feedback();
    let mut p = RtpParameters::new(vec![vp8, rtx(98, 97)]);
    p.header_extensions = vec![ext(1, URI_MID), ext(3, URI_ABS_SEND_TIME), ext(4, URI_RTP_STREAM_ID)];
    p.rtcp = RtcpParameters {
        cname: Some("cname".into()),
        ssrc: Some(Ssrc::new(0x1111)),
        mux: true,
        reduced_size: true,
    };
    p.encodings = vec![RtpEncodingParameters {
        ssrc: Some(Ssrc::new(0x1111)),
        rtx: Some(RtxParameters {
            ssrc: Ssrc::new(0x2222),
        }),
        rid: Some(Rid::new("hi").unwrap()),
        max_bitrate: Some(1_500_000),
        ..RtpEncodingParameters::default()
    }];
    p.mid = Some(Mid::new("0").unwrap());
    p
}

/// H.264 Constrained Baseline in packetization-mode 1 (99, with RTX 100) and Baseline in mode 0 (101).
fn h264() -> RtpParameters {
    let mut mode1 = codec(
        99,
        "video/H264",
        90_000,
        &[
            ("level-asymmetry-allowed", "1"),
            ("packetization-mode", "1"),
            ("profile-level-id", "42e01f"),
        ],
    );
    mode1.rtcp_feedback = vec![RtcpFeedback::new("nack", None)];
    let mode0 = codec(101, "video/H264", 90_000, &[("profile-level-id", "42001f")]);
    RtpParameters::new(vec![mode1, rtx(100, 99), mode0])
}

fn opus() -> RtpParameters {
    let mut opus = codec(111, "audio/opus", 48_000, &[("minptime", "10"), ("useinbandfec", "1")]);
    opus.channels = Some(2);
    opus.rtcp_feedback = vec![RtcpFeedback::new("transport-cc", None)];
    let mut p = RtpParameters::new(vec![opus, codec(0, "audio/PCMU", 8000, &[])]);
    p.header_extensions = vec![ext(1, URI_MID), ext(2, URI_AUDIO_LEVEL)];
    p.mid = Some(Mid::new("1").unwrap());
    p
}

#[test]
fn vp8_with_rtx_into_send_params() {
    let send = vp8_rtx().to_send_params(MediaKind::Video, &NUMBERS).unwrap();
    let mut want = SendParams::new(
        MediaKind::Video,
        Ssrc::new(0x1111),
        vec![SendCodec {
            payload_type: pt(97),
            mime_type: "video/VP8".into(),
            clock_rate: 90_000,
            rtx_payload_type: Some(pt(98)),
            h264_packetization_mode_1: false,
        }],
    );
    want.rtx_ssrc = Some(Ssrc::new(0x2222));
    want.mid = Some(Mid::new("0").unwrap());
    want.rid = Some(Rid::new("hi").unwrap());
    want.initial_sequence_number = 1234;
    want.rtx_initial_sequence_number = 5678;
    want.timestamp_origin = 0xDEAD_BEEF;
    assert_eq!(send, want);
}

#[test]
fn vp8_with_rtx_into_receive_params() {
    let recv = vp8_rtx()
        .to_receive_params(MediaKind::Video, Ssrc::new(0x7777))
        .unwrap();
    let want = ReceiveParams {
        kind: MediaKind::Video,
        codecs: vec![ReceiveCodec {
            payload_type: pt(97),
            mime_type: "video/VP8".into(),
            clock_rate: 90_000,
            rtx_payload_type: Some(pt(98)),
        }],
        ssrc: Some(Ssrc::new(0x1111)),
        rtx_ssrc: Some(Ssrc::new(0x2222)),
        mid: Some(Mid::new("0").unwrap()),
        rid: Some(Rid::new("hi").unwrap()),
        rtcp_ssrc: Ssrc::new(0x7777),
        nack: true,
        pli: true,
        fir: true,
    };
    assert_eq!(recv, want);
}

#[test]
fn drawn_ssrcs_fill_in_for_an_encoding_without_them() {
    let mut p = vp8_rtx();
    p.encodings.clear();
    let send = p.to_send_params(MediaKind::Video, &NUMBERS).unwrap();
    assert_eq!(
        (send.ssrc, send.rtx_ssrc, send.rid),
        (NUMBERS.ssrc, Some(NUMBERS.rtx_ssrc), None)
    );
    let recv = p.to_receive_params(MediaKind::Video, Ssrc::new(9)).unwrap();
    assert_eq!((recv.ssrc, recv.rtx_ssrc, recv.rid), (None, None, None));
}

#[test]
fn h264_modes_rtx_and_feedback() {
    let send = h264().to_send_params(MediaKind::Video, &NUMBERS).unwrap();
    let summary: Vec<_> = send
        .codecs
        .iter()
        .map(|c| (c.payload_type, c.rtx_payload_type, c.h264_packetization_mode_1))
        .collect();
    assert_eq!(summary, [(pt(99), Some(pt(100)), true), (pt(101), None, false)]);
    assert_eq!(send.rtx_ssrc, Some(NUMBERS.rtx_ssrc));
    let recv = h264().to_receive_params(MediaKind::Video, Ssrc::new(1)).unwrap();
    let summary: Vec<_> = recv
        .codecs
        .iter()
        .map(|c| (c.payload_type, c.rtx_payload_type))
        .collect();
    assert_eq!(summary, [(pt(99), Some(pt(100))), (pt(101), None)]);
    assert!(recv.nack);
    assert!(!recv.pli, "only plain nack was negotiated");
}

#[test]
fn encoding_codec_goes_first() {
    let mut p = h264();
    p.encodings = vec![RtpEncodingParameters {
        codec_payload_type: Some(pt(101)),
        ..RtpEncodingParameters::default()
    }];
    let send = p.to_send_params(MediaKind::Video, &NUMBERS).unwrap();
    let pts: Vec<_> = send.codecs.iter().map(|c| c.payload_type).collect();
    assert_eq!(pts, [pt(101), pt(99)]);
}

#[test]
fn opus_without_rtx() {
    let mut p = opus();
    // an RTX SSRC without an RTX codec is not used
    p.encodings = vec![RtpEncodingParameters {
        ssrc: Some(Ssrc::new(42)),
        rtx: Some(RtxParameters { ssrc: Ssrc::new(43) }),
        ..RtpEncodingParameters::default()
    }];
    let send = p.to_send_params(MediaKind::Audio, &NUMBERS).unwrap();
    let codecs: Vec<_> = send
        .codecs
        .iter()
        .map(|c| (c.payload_type, c.mime_type.as_str(), c.clock_rate))
        .collect();
    assert_eq!(codecs, [(pt(111), "audio/opus", 48_000), (pt(0), "audio/PCMU", 8000)]);
    assert!(send.codecs.iter().all(|c| c.rtx_payload_type.is_none()));
    assert_eq!(
        (send.kind, send.ssrc, send.rtx_ssrc),
        (MediaKind::Audio, Ssrc::new(42), None)
    );
    assert_eq!(send.mid.as_deref(), Some("1"));
    assert_eq!(send.history_packets, 64, "audio defaults kept");
    let recv = p.to_receive_params(MediaKind::Audio, Ssrc::new(7)).unwrap();
    assert_eq!((recv.ssrc, recv.rtx_ssrc), (Some(Ssrc::new(42)), None));
    assert!(!recv.nack && !recv.pli, "no feedback negotiated for audio");
}

#[test]
fn extension_map_skips_unknown_uris() {
    let mut p = opus();
    p.header_extensions.push(ext(5, "urn:ietf:params:rtp-hdrext:toffset"));
    p.header_extensions.push(ext(200, URI_ABS_SEND_TIME));
    let map = p.extension_map().unwrap();
    let entries: Vec<_> = map.iter().collect();
    assert_eq!(
        entries,
        [
            (1, ExtensionKind::Mid),
            (2, ExtensionKind::AudioLevel),
            (200, ExtensionKind::AbsSendTime)
        ]
    );
}

#[test]
fn converted_params_set_up_session_streams() {
    let p = vp8_rtx();
    let now = Instant::now();
    let config = SessionConfig::new("cname", p.extension_map().unwrap(), (now, NtpTime(1 << 40)));
    let mut session = RtpSession::new(config);
    session
        .add_sender(p.to_send_params(MediaKind::Video, &NUMBERS).unwrap())
        .unwrap();
    let mut remote = p.clone();
    remote.encodings[0].ssrc = Some(Ssrc::new(0x3333));
    remote.encodings[0].rtx = Some(RtxParameters {
        ssrc: Ssrc::new(0x4444),
    });
    session
        .add_receiver(remote.to_receive_params(MediaKind::Video, Ssrc::new(0x1111)).unwrap())
        .unwrap();
    let mut audio = RtpSession::new(SessionConfig::new(
        "cname",
        opus().extension_map().unwrap(),
        (now, NtpTime(1 << 40)),
    ));
    audio
        .add_sender(opus().to_send_params(MediaKind::Audio, &NUMBERS).unwrap())
        .unwrap();
    audio
        .add_receiver(opus().to_receive_params(MediaKind::Audio, Ssrc::new(1)).unwrap())
        .unwrap();
}

fn video_error(p: &RtpParameters) -> ParametersError {
    let err = p.validate(MediaKind::Video).unwrap_err();
    assert_eq!(p.to_send_params(MediaKind::Video, &NUMBERS), Err(err.clone()));
    assert_eq!(p.to_receive_params(MediaKind::Video, Ssrc::new(1)), Err(err.clone()));
    err
}

#[test]
fn codec_list_errors() {
    assert_eq!(video_error(&RtpParameters::new(vec![])), ParametersError::NoCodecs);

    let out_of_range = serde_json::from_value::<RtpCodecParameters>(json!({
        "payloadType": 128, "mimeType": "video/VP8", "clockRate": 90000
    }));
    assert!(
        out_of_range
            .unwrap_err()
            .to_string()
            .contains("payload type 128 is out of range"),
        "a payload type above 127 does not deserialize"
    );

    let mut p = vp8_rtx();
    p.codecs.push(codec(97, "video/VP9", 90_000, &[]));
    assert_eq!(
        video_error(&p),
        ParametersError::DuplicatePayloadType { payload_type: pt(97) }
    );

    let mut p = vp8_rtx();
    p.codecs.push(codec(111, "audio/opus", 48_000, &[]));
    assert_eq!(
        video_error(&p),
        ParametersError::KindMismatch {
            mime_type: "audio/opus".into(),
            kind: MediaKind::Video
        }
    );
    let p = RtpParameters::new(vec![codec(96, "VP8", 90_000, &[])]);
    assert_eq!(
        video_error(&p),
        ParametersError::KindMismatch {
            mime_type: "VP8".into(),
            kind: MediaKind::Video
        }
    );
    let mut p = opus();
    p.codecs.push(rtx(98, 111));
    assert_eq!(
        p.validate(MediaKind::Audio),
        Err(ParametersError::KindMismatch {
            mime_type: "video/rtx".into(),
            kind: MediaKind::Audio
        })
    );
}

#[test]
fn encoding_errors() {
    for n in [50, 98] {
        let mut p = vp8_rtx();
        p.encodings[0].codec_payload_type = Some(pt(n));
        assert_eq!(
            video_error(&p),
            ParametersError::UnknownPayloadType { payload_type: pt(n) },
            "an encoding naming {n}"
        );
    }
    let mut p = vp8_rtx();
    p.encodings[0].rtx = Some(RtxParameters {
        ssrc: Ssrc::new(0x1111),
    });
    assert_eq!(
        video_error(&p),
        ParametersError::RtxSsrcIsMediaSsrc {
            ssrc: Ssrc::new(0x1111)
        }
    );
    // the same when the drawn RTX SSRC collides with the encoding's SSRC
    let mut p = vp8_rtx();
    p.encodings[0].rtx = None;
    p.encodings[0].ssrc = Some(NUMBERS.rtx_ssrc);
    assert_eq!(
        p.to_send_params(MediaKind::Video, &NUMBERS),
        Err(ParametersError::RtxSsrcIsMediaSsrc { ssrc: NUMBERS.rtx_ssrc })
    );
}

#[test]
fn rtx_errors() {
    let mut p = vp8_rtx();
    p.codecs[1].parameters.clear();
    assert_eq!(video_error(&p), ParametersError::RtxWithoutApt { payload_type: pt(98) });

    for apt in ["x", "200", "-1", ""] {
        let mut p = vp8_rtx();
        p.codecs[1].parameters[0].1 = apt.into();
        assert_eq!(
            video_error(&p),
            ParametersError::RtxBadApt {
                payload_type: pt(98),
                apt: apt.into()
            }
        );
    }

    let mut p = vp8_rtx();
    p.codecs[1].parameters[0].1 = "96".into();
    assert_eq!(
        video_error(&p),
        ParametersError::RtxAptUnknown {
            payload_type: pt(98),
            apt: pt(96)
        }
    );
    // apt naming another RTX codec names no media codec
    let mut p = vp8_rtx();
    p.codecs.push(rtx(99, 98));
    assert_eq!(
        video_error(&p),
        ParametersError::RtxAptUnknown {
            payload_type: pt(99),
            apt: pt(98)
        }
    );

    let mut p = vp8_rtx();
    p.codecs[1].clock_rate = 48_000;
    assert_eq!(
        video_error(&p),
        ParametersError::RtxClockRateMismatch {
            payload_type: pt(98),
            clock_rate: 48_000,
            apt: pt(97),
            media_clock_rate: 90_000
        }
    );

    let mut p = vp8_rtx();
    p.codecs.push(rtx(99, 97));
    assert_eq!(
        video_error(&p),
        ParametersError::DuplicateRtx {
            payload_type: pt(99),
            apt: pt(97)
        }
    );
}

#[test]
fn packetization_errors() {
    let mut p = opus();
    p.codecs.push(codec(101, "audio/telephone-event", 8000, &[]));
    assert_eq!(p.validate(MediaKind::Audio), Ok(()));
    let no_payloader = ParametersError::NoPayloader {
        mime_type: "audio/telephone-event".into(),
    };
    assert_eq!(p.validate_send(MediaKind::Audio), Err(no_payloader.clone()));
    assert_eq!(p.to_send_params(MediaKind::Audio, &NUMBERS), Err(no_payloader));
    let no_depayloader = ParametersError::NoDepayloader {
        mime_type: "audio/telephone-event".into(),
    };
    assert_eq!(p.validate_receive(MediaKind::Audio), Err(no_depayloader.clone()));
    assert_eq!(p.to_receive_params(MediaKind::Audio, Ssrc::new(1)), Err(no_depayloader));

    let mut p = vp8_rtx();
    p.codecs.push(codec(120, "video/ulpfec", 90_000, &[]));
    assert!(matches!(
        p.validate_send(MediaKind::Video),
        Err(ParametersError::NoPayloader { .. })
    ));
}

#[test]
fn header_extension_errors() {
    for id in [0, 256] {
        let mut p = vp8_rtx();
        p.header_extensions[1].id = id;
        let want = ParametersError::ExtensionIdOutOfRange {
            id,
            uri: URI_ABS_SEND_TIME.into(),
        };
        assert_eq!(video_error(&p), want);
        assert_eq!(p.extension_map().unwrap_err(), want);
    }
    let mut p = vp8_rtx();
    p.header_extensions[1].id = 255;
    assert_eq!(p.validate(MediaKind::Video), Ok(()), "two-byte ids are fine");

    let mut p = vp8_rtx();
    p.header_extensions[2].id = 1;
    let want = ParametersError::DuplicateExtensionId {
        id: 1,
        first_uri: URI_MID.into(),
        second_uri: URI_RTP_STREAM_ID.into(),
    };
    assert_eq!(video_error(&p), want);
    assert_eq!(p.extension_map().unwrap_err(), want);

    let mut p = vp8_rtx();
    p.header_extensions.push(ext(9, URI_MID));
    assert_eq!(
        video_error(&p),
        ParametersError::DuplicateExtensionUri {
            uri: URI_MID.into(),
            first_id: 1,
            second_id: 9
        }
    );
}

#[test]
fn errors_name_the_input() {
    let msg = ParametersError::RtxClockRateMismatch {
        payload_type: pt(98),
        clock_rate: 48_000,
        apt: pt(97),
        media_clock_rate: 90_000,
    }
    .to_string();
    assert_eq!(msg, "RTX codec 98 runs at 48000 Hz but its media codec 97 at 90000 Hz");
    let msg = ParametersError::KindMismatch {
        mime_type: "audio/opus".into(),
        kind: MediaKind::Video,
    }
    .to_string();
    assert_eq!(msg, "audio/opus is not a video codec");
}

#[test]
fn json_uses_w3c_names() {
    let mut p = vp8_rtx();
    p.encodings[0].codec_payload_type = Some(pt(97));
    let v = serde_json::to_value(&p).unwrap();
    let want = json!({
        "codecs": [
            {
                "payloadType": 97, "mimeType": "video/VP8", "clockRate": 90000, "parameters": {},
                "rtcpFeedback": [
                    {"type": "nack"}, {"type": "nack", "parameter": "pli"}, {"type": "ccm", "parameter": "fir"}
                ]
            },
            {
                "payloadType": 98, "mimeType": "video/rtx", "clockRate": 90000, "parameters": {"apt": "97"},
                "rtcpFeedback": []
            }
        ],
        "headerExtensions": [
            {"id": 1, "uri": URI_MID}, {"id": 3, "uri": URI_ABS_SEND_TIME}, {"id": 4, "uri": URI_RTP_STREAM_ID}
        ],
        "rtcp": {"cname": "cname", "ssrc": 0x1111, "mux": true, "reducedSize": true},
        "encodings": [
            {
                "ssrc": 0x1111, "rtx": {"ssrc": 0x2222}, "rid": "hi", "active": true, "maxBitrate": 1_500_000,
                "codecPayloadType": 97
            }
        ],
        "mid": "0"
    });
    assert_eq!(v, want);
    let back: RtpParameters = serde_json::from_value(v).unwrap();
    assert_eq!(back, p);

    let opus = opus();
    let text = serde_json::to_string(&opus).unwrap();
    assert!(
        text.contains(r#""clockRate":48000,"channels":2,"parameters":{"minptime":"10","useinbandfec":"1"}"#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<RtpParameters>(&text).unwrap(), opus);
}

#[test]
fn json_keeps_fmtp_order_and_reads_integers() {
    let text = r#"{
        "codecs": [
            {"payloadType": 99, "mimeType": "video/H264", "clockRate": 90000,
             "parameters": {"profile-level-id": "42e01f", "packetization-mode": 1, "level-asymmetry-allowed": 1}},
            {"payloadType": 100, "mimeType": "video/rtx", "clockRate": 90000, "parameters": {"apt": 99}}
        ],
        "encodings": [{"ssrc": 5}]
    }"#;
    let p: RtpParameters = serde_json::from_str(text).unwrap();
    assert_eq!(
        p.codecs[0].parameters,
        [
            ("profile-level-id".to_owned(), "42e01f".to_owned()),
            ("packetization-mode".to_owned(), "1".to_owned()),
            ("level-asymmetry-allowed".to_owned(), "1".to_owned()),
        ]
    );
    assert!(p.codecs[0].rtcp_feedback.is_empty());
    assert_eq!(p.codecs[1].parameter("APT"), Some("99"));
    assert_eq!(p.rtcp, RtcpParameters::default());
    assert!(p.encodings[0].active, "active defaults to true");
    assert!(p.header_extensions.is_empty());
    let send = p.to_send_params(MediaKind::Video, &NUMBERS).unwrap();
    assert_eq!(send.ssrc, Ssrc::new(5));
    assert_eq!(send.codecs[0].rtx_payload_type, Some(pt(100)));
    assert!(send.codecs[0].h264_packetization_mode_1);
    let out = serde_json::to_string(&p).unwrap();
    assert!(
        out.contains(
            r#""parameters":{"profile-level-id":"42e01f","packetization-mode":"1","level-asymmetry-allowed":"1"}"#
        ),
        "{out}"
    );
    assert!(serde_json::from_str::<RtpParameters>(r#"{"codecs": [{"payloadType": 300}]}"#).is_err());
    assert!(
        serde_json::from_str::<RtpParameters>(r#"{"headerExtensions": []}"#).is_err(),
        "codecs are required"
    );
    let bad_fmtp = r#"{"codecs": [{"payloadType": 1, "mimeType": "a/b", "clockRate": 1, "parameters": {"x": [1]}}]}"#;
    assert!(serde_json::from_str::<RtpParameters>(bad_fmtp).is_err());
}

fn capability(mime: &str, clock_rate: u32, channels: Option<u16>, params: &[(&str, &str)]) -> RtpCodecCapability {
    RtpCodecCapability {
        mime_type: mime.to_owned(),
        clock_rate,
        channels,
        preferred_payload_type: None,
        parameters: params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        rtcp_feedback: Vec::new(),
    }
}

#[test]
fn empty_preferences_reset_to_the_capabilities() {
    for kind in [MediaKind::Audio, MediaKind::Video] {
        assert_eq!(filter_codec_preferences(kind, &[]), Ok(get_capabilities(kind).codecs));
    }
}

#[test]
fn preferences_pick_capabilities_in_order_without_repeats() {
    let video = get_capabilities(MediaKind::Video).codecs;
    let h264 = capability(
        "VIDEO/h264",
        90_000,
        None,
        &[
            ("profile-level-id", "42e01f"),
            ("packetization-mode", "1"),
            ("level-asymmetry-allowed", "1"),
        ],
    );
    let vp8 = capability("video/vp8", 90_000, None, &[]);
    let vp8_rtx = capability("video/rtx", 90_000, None, &[("apt", "97")]);
    let got = filter_codec_preferences(MediaKind::Video, &[h264.clone(), vp8.clone(), h264, vp8_rtx, vp8]).unwrap();
    assert_eq!(got, [video[4].clone(), video[0].clone(), video[1].clone()]);
    assert_eq!(got[0].preferred_payload_type, Some(101), "capability entries come back");

    let audio = get_capabilities(MediaKind::Audio).codecs;
    let pcmu = capability("audio/PCMU", 8000, None, &[]);
    let got = filter_codec_preferences(MediaKind::Audio, &[pcmu, audio[0].clone(), audio[0].clone()]).unwrap();
    assert_eq!(got, [audio[2].clone(), audio[0].clone()]);
}

#[test]
fn preferences_outside_the_capabilities_fail() {
    let cases = [
        capability("video/VP8", 48_000, None, &[]),
        capability("video/H264", 90_000, None, &[("profile-level-id", "640032")]),
        capability("video/H264", 90_000, None, &[]),
        capability("video/VP9", 90_000, None, &[("profile-id", "2")]),
        capability("video/rtx", 90_000, None, &[("apt", "42")]),
        capability("video/red", 90_000, None, &[]),
        capability("video/bogus", 90_000, None, &[]),
    ];
    for c in cases {
        assert_eq!(
            filter_codec_preferences(MediaKind::Video, std::slice::from_ref(&c)),
            Err(ParametersError::CodecNotInCapabilities {
                mime_type: c.mime_type.clone(),
                clock_rate: c.clock_rate,
                channels: c.channels,
                parameters: c.sdp_fmtp_line(),
            }),
            "{c:?}"
        );
    }
    let mono_opus = capability(
        "audio/opus",
        48_000,
        Some(1),
        &[("minptime", "10"), ("useinbandfec", "1")],
    );
    assert!(matches!(
        filter_codec_preferences(MediaKind::Audio, &[mono_opus]),
        Err(ParametersError::CodecNotInCapabilities { channels: Some(1), .. })
    ));
    let opus = get_capabilities(MediaKind::Audio).codecs[0].clone();
    assert_eq!(
        filter_codec_preferences(MediaKind::Video, &[opus]),
        Err(ParametersError::KindMismatch {
            mime_type: "audio/opus".into(),
            kind: MediaKind::Video
        })
    );
}

#[test]
fn rtx_alone_is_refused() {
    let video = get_capabilities(MediaKind::Video).codecs;
    assert_eq!(
        filter_codec_preferences(MediaKind::Video, &[video[1].clone(), video[3].clone()]),
        Err(ParametersError::NoMediaCodecPreferred {
            mime_type: "video/rtx".into()
        })
    );
    // with a media codec beside it, even one RTX does not name, the list stands
    let got = filter_codec_preferences(MediaKind::Video, &[video[3].clone(), video[6].clone()]).unwrap();
    assert_eq!(got, [video[3].clone(), video[6].clone()]);
}
