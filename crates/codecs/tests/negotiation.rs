//! Our capabilities against the codecs Chromium offers (`fixtures/chromium/offer.sdp`): each of our codecs
//! matches the payload type a browser answer would pick, and nothing matches across profiles or modes.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ortc_codecs::{MediaKind, RtpCodecCapability, get_capabilities};

/// (payload type, codec) of every `a=rtpmap` in the SDP, with its `a=fmtp` parameters.
fn offered(sdp: &str) -> Vec<(u8, RtpCodecCapability)> {
    let mut kind = "";
    let mut out: Vec<(u8, RtpCodecCapability)> = Vec::new();
    for line in sdp.lines() {
        if let Some(m) = line.strip_prefix("m=") {
            kind = m.split(' ').next().unwrap();
        } else if let Some(r) = line.strip_prefix("a=rtpmap:") {
            let (pt, enc) = r.split_once(' ').unwrap();
            let mut parts = enc.split('/');
            let name = parts.next().unwrap();
            let clock_rate = parts.next().unwrap().parse().unwrap();
            out.push((
                pt.parse().unwrap(),
                RtpCodecCapability {
                    mime_type: format!("{kind}/{name}"),
                    clock_rate,
                    channels: parts.next().map(|c| c.parse().unwrap()),
                    preferred_payload_type: Some(pt.parse().unwrap()),
                    parameters: Vec::new(),
                    rtcp_feedback: Vec::new(),
                },
            ));
        } else if let Some(f) = line.strip_prefix("a=fmtp:") {
            let (pt, params) = f.split_once(' ').unwrap();
            let pt: u8 = pt.parse().unwrap();
            let codec = &mut out.iter_mut().find(|(p, _)| *p == pt).unwrap().1;
            for kv in params.split(';') {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                codec.parameters.push((k.trim().to_owned(), v.to_owned()));
            }
        }
    }
    out
}

#[test]
fn chromium_offer_matches() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chromium/offer.sdp");
    let sdp = std::fs::read_to_string(path).unwrap();
    let remote = offered(&sdp);
    let mut picked = Vec::new();
    for kind in [MediaKind::Audio, MediaKind::Video] {
        for ours in get_capabilities(kind).codecs.iter().filter(|c| c.name() != "rtx") {
            let matching: Vec<u8> = remote
                .iter()
                .filter(|(_, r)| ours.matches(r))
                .map(|(pt, _)| *pt)
                .collect();
            picked.push((ours.mime_type.clone(), ours.sdp_fmtp_line(), matching));
        }
    }
    let expect: [(&str, &[u8]); 9] = [
        ("audio/opus", &[111]),
        ("audio/G722", &[9]),
        ("audio/PCMU", &[0]),
        ("audio/PCMA", &[8]),
        ("video/VP8", &[96]),
        ("video/H264", &[102]), // Baseline 42001f, mode 1 (not 104: mode 0; not 108: Constrained Baseline)
        ("video/H264", &[108]), // Constrained Baseline 42e01f, mode 1
        ("video/VP9", &[98]),   // profile 0, not 100 (profile 2)
        ("video/AV1", &[45]),
    ];
    assert_eq!(picked.len(), expect.len());
    for ((mime, fmtp, got), (want_mime, want)) in picked.iter().zip(expect) {
        assert_eq!(mime, want_mime);
        assert_eq!(got, want, "{mime} {fmtp}");
    }
}
